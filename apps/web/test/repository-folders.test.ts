// A repository's workflow folders through the tRPC chain: any member reads them, a maintainer or admin changes
// them (audited with the old and new values), anyone below is refused; the settings page's toggles show them.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { randomId, type Role } from "@gantry/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RepositoryFolders } from "../src/app/t/[tenant]/settings/repository-folders";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, setupWebTest, type WebTestContext } from "./support";
import { rejection } from "./trpc-support";

let t: WebTestContext;
const caller = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues, now: () => new Date() }));
const tenant = DEMO.tenantSlug;

async function member(role: Role): Promise<SessionUser> {
  const id = randomId("usr");
  await t.database.system("test").user.create({ data: { id, email: `${id}@example.test`, name: id } });
  await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId: id, role } });
  return { userId: id, email: `${id}@example.test`, name: id };
}

beforeAll(async () => {
  t = await setupWebTest();
});
afterAll(async () => {
  await t?.close();
});

describe("repositories.setWorkflowFolders", () => {
  it("any member lists the repositories with their folders; the demo's plain git repository reads .gantry/workflows only", async () => {
    const viewer = caller(await member("VIEWER"));
    const listed = await viewer.repositories.list({ tenant });
    expect(listed.canManage).toBe(false);
    expect(listed.repositories).toEqual([expect.objectContaining({ id: DEMO.repositoryId, source: "git", readGantryWorkflows: true, readGithubWorkflows: false })]);
  });

  it("is refused below maintainer, and changes nothing", async () => {
    for (const role of ["VIEWER", "DEVELOPER"] as const) {
      const error = await rejection(caller(await member(role)).repositories.setWorkflowFolders({ tenant, repositoryId: DEMO.repositoryId, readGantryWorkflows: false, readGithubWorkflows: true }));
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toContain("maintainer");
    }
    expect(await t.database.system("test").repository.findUniqueOrThrow({ where: { id: DEMO.repositoryId } })).toMatchObject({ readGantryWorkflows: true, readGithubWorkflows: false });
  });

  it("a maintainer turns .github/workflows on and .gantry/workflows off; the change is audited with before and after", async () => {
    const maintainer = await member("MAINTAINER");
    const result = await caller(maintainer).repositories.setWorkflowFolders({ tenant, repositoryId: DEMO.repositoryId, readGantryWorkflows: false, readGithubWorkflows: true });
    expect(result).toEqual({ id: DEMO.repositoryId, readGantryWorkflows: false, readGithubWorkflows: true, changed: true });
    expect(await t.database.system("test").repository.findUniqueOrThrow({ where: { id: DEMO.repositoryId } })).toMatchObject({ readGantryWorkflows: false, readGithubWorkflows: true });
    // The same values again change nothing and are not audited twice.
    expect((await caller(maintainer).repositories.setWorkflowFolders({ tenant, repositoryId: DEMO.repositoryId, readGantryWorkflows: false, readGithubWorkflows: true })).changed).toBe(false);
    const audits = await t.database.system("test").auditEvent.findMany({ where: { tenantId: DEMO.tenantId, action: "repository.workflow_folders.update" } });
    expect(audits.map((audit) => [audit.actorId, audit.targetId, audit.data])).toEqual([
      [maintainer.userId, DEMO.repositoryId, { repository: expect.any(String), from: { readGantryWorkflows: true, readGithubWorkflows: false }, to: { readGantryWorkflows: false, readGithubWorkflows: true } }],
    ]);
  });

  it("a repository of another tenant is not found", async () => {
    const error = await rejection(caller(await member("ADMIN")).repositories.setWorkflowFolders({ tenant, repositoryId: "repo_elsewhere", readGantryWorkflows: true, readGithubWorkflows: true }));
    expect(error.code).toBe("NOT_FOUND");
  });

  it("the settings page shows each repository's two toggles, disabled for those who cannot change them", () => {
    const repositories = [{ id: "r1", fullName: "acme/app", source: "github" as const, defaultBranch: "main", archived: false, readGantryWorkflows: true, readGithubWorkflows: false, via: null, lastRun: null }];
    const checkbox = (html: string, name: string) => new RegExp(`<input type="checkbox"[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? "";
    const manager = renderToStaticMarkup(createElement(RepositoryFolders, { tenant, repositories, canManage: true }));
    expect(checkbox(manager, "readGantryWorkflows")).toContain('checked=""');
    expect(checkbox(manager, "readGithubWorkflows")).not.toContain("checked");
    expect(checkbox(manager, "readGithubWorkflows")).not.toContain("disabled");
    expect(manager).toContain("Save");
    const viewer = renderToStaticMarkup(createElement(RepositoryFolders, { tenant, repositories, canManage: false }));
    expect(checkbox(viewer, "readGantryWorkflows")).toContain('disabled=""');
    expect(viewer).toContain("Only a maintainer or an admin");
  });
});
