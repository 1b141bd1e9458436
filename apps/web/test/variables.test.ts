// Variables through the tRPC procedures against a real database: names as GitHub checks them (case-insensitive,
// not GITHUB_), maintainers change and every member reads, each change audited; and the precedence the engine
// resolves a job's `vars` with (environment over repository over tenant).
import { randomId, type Role } from "@gantry/db";
import { jobVariables } from "@gantry/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { addMember, DEMO, rejection, setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;
const caller = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));
const tenant = DEMO.tenantSlug;
const repositoryScope = { kind: "repository" as const, repository: DEMO.repositoryName };
const environmentScope = { kind: "environment" as const, repository: DEMO.repositoryName, environment: "production" };
let environmentId = "";

const member = (role: Role) => addMember(t.database, role);

beforeAll(async () => {
  t = await setupWebTest();
  environmentId = randomId("env");
  await t.database.system("test").environment.create({ data: { id: environmentId, tenantId: DEMO.tenantId, repositoryId: DEMO.repositoryId, name: "production" } });
});
afterAll(async () => {
  await t?.close();
});

describe("variables", () => {
  it("a maintainer sets them at each scope; the narrowest wins for a job, names without case", async () => {
    const maintainer = await member("MAINTAINER");
    expect(await caller(maintainer).variables.set({ tenant, scope: { kind: "tenant" }, name: "greeting", value: "tenant" })).toEqual({ name: "GREETING", created: true });
    await caller(maintainer).variables.set({ tenant, scope: { kind: "tenant" }, name: "REGION", value: "eu" });
    await caller(maintainer).variables.set({ tenant, scope: repositoryScope, name: "Greeting", value: "repository" });
    await caller(maintainer).variables.set({ tenant, scope: environmentScope, name: "GREETING", value: "environment" });
    // The same name however written is one variable: this updates the tenant's.
    expect(await caller(maintainer).variables.set({ tenant, scope: { kind: "tenant" }, name: "Greeting", value: "tenant, again" })).toEqual({ name: "GREETING", created: false });

    const ctx = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" as const } };
    expect(await jobVariables(t.database, ctx, { repositoryId: DEMO.repositoryId })).toEqual({ REGION: "eu", GREETING: "repository" });
    expect(await jobVariables(t.database, ctx, { repositoryId: DEMO.repositoryId, environmentName: "production" })).toEqual({ REGION: "eu", GREETING: "environment" });
    expect(await jobVariables(t.database, ctx, { repositoryId: DEMO.repositoryId, environmentName: "nowhere" })).toEqual({ REGION: "eu", GREETING: "repository" });

    const viewer = await member("VIEWER");
    const overview = await caller(viewer).variables.overview({ tenant });
    expect(overview.canManage).toBe(false);
    expect(overview.tenant.map((variable) => [variable.name, variable.value])).toEqual([
      ["GREETING", "tenant, again"],
      ["REGION", "eu"],
    ]);
    const repository = overview.repositories.find((entry) => entry.repository === DEMO.repositoryName);
    expect(repository?.variables.map((variable) => variable.value)).toEqual(["repository"]);
    expect(repository?.environments).toEqual([{ environment: "production", variables: [expect.objectContaining({ name: "GREETING", value: "environment" })] }]);

    const events = await t.database.system("test").auditEvent.findMany({ where: { action: { startsWith: "variable." } }, orderBy: { id: "asc" } });
    expect(events.map((event) => [event.action, event.targetId])).toEqual([
      ["variable.create", "tenant/GREETING"],
      ["variable.create", "tenant/REGION"],
      ["variable.create", `repo:${DEMO.repositoryId}/GREETING`],
      ["variable.create", `env:${environmentId}/GREETING`],
      ["variable.update", "tenant/GREETING"],
    ]);

    await caller(maintainer).variables.delete({ tenant, scope: environmentScope, name: "greeting" });
    expect(await jobVariables(t.database, ctx, { repositoryId: DEMO.repositoryId, environmentName: "production" })).toEqual({ REGION: "eu", GREETING: "repository" });
  });

  it("refuses bad names and values with a clear message, and developers, changing nothing", async () => {
    const maintainer = await member("MAINTAINER");
    const developer = await member("DEVELOPER");
    const before = await t.database.system("test").variable.count();
    const github = await rejection(caller(maintainer).variables.set({ tenant, scope: { kind: "tenant" }, name: "GITHUB_SHA", value: "x" }));
    expect(github.code).toBe("BAD_REQUEST");
    expect(github.message).toContain("may not start with GITHUB_");
    expect((await rejection(caller(maintainer).variables.set({ tenant, scope: { kind: "tenant" }, name: "1ST", value: "x" }))).message).toContain("does not start with a digit");
    expect((await rejection(caller(maintainer).variables.set({ tenant, scope: { kind: "tenant" }, name: "has-dash", value: "x" }))).code).toBe("BAD_REQUEST");
    expect((await rejection(caller(maintainer).variables.set({ tenant, scope: { kind: "tenant" }, name: "EMPTY", value: "" }))).message).toContain("needs a value");
    expect((await rejection(caller(maintainer).variables.set({ tenant, scope: { kind: "environment", repository: DEMO.repositoryName, environment: "missing" }, name: "X", value: "x" }))).code).toBe("NOT_FOUND");
    expect((await rejection(caller(developer).variables.set({ tenant, scope: { kind: "tenant" }, name: "X", value: "x" }))).code).toBe("FORBIDDEN");
    expect((await rejection(caller(maintainer).variables.delete({ tenant, scope: { kind: "tenant" }, name: "NOPE" }))).code).toBe("NOT_FOUND");
    expect(await t.database.system("test").variable.count()).toBe(before);
  });
});
