// Connecting a plain git server (issue #16): repositories.connectGit creates the git source and its repository and
// answers the push secret once (stored sealed); a push signed with it is accepted by the real push route, and after
// rotateGitSecret only the new secret is.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as pushRoute } from "../src/app/api/git/sources/[sourceId]/push/route";
import type { SessionUser } from "../src/server/auth";
import { closeServices } from "../src/server/services";
import { DEMO, setupWebTest, stubWebEnv, type WebTestContext } from "./support";
import { auditOf, callerFor, member, rejection } from "./trpc-support";

let t: WebTestContext;
let admin: SessionUser;
const masterKey = randomBytes(32);
const tenant = DEMO.tenantSlug;
const asAdmin = () => callerFor(t, admin, { masterKey });

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_MASTER_KEY: masterKey.toString("base64") });
  admin = await member(t, "ADMIN");
});
afterAll(async () => {
  await closeServices();
  await t?.close();
});

function push(sourceId: string, repository: string, secret: string) {
  const body = JSON.stringify({ repository, ref: "refs/heads/main", before: "0".repeat(40), after: "c".repeat(40) });
  const signature = createHmac("sha256", secret).update(body).digest("hex");
  return pushRoute(
    new Request(`http://127.0.0.1/api/git/sources/${sourceId}/push`, { method: "POST", headers: { "content-type": "application/json", "x-gantry-signature-256": `sha256=${signature}`, "x-gantry-delivery": randomUUID() }, body }),
    { params: Promise.resolve({ sourceId }) },
  );
}

describe("repositories.connectGit", () => {
  it("connects a repository whose pushes verify with the secret shown once; rotating replaces it", async () => {
    const connected = await asAdmin().repositories.connectGit({ tenant, name: "forge", url: "https://git.example.test/team/api.git", repository: "team/api" });
    const source = await t.database.system("test").gitSource.findUniqueOrThrow({ where: { id: connected.gitSource.id } });
    expect(source.url).toBe("https://git.example.test/team/api.git");
    expect(Buffer.from(source.notifySecretCiphertext).toString("latin1")).not.toContain(connected.notifySecret);
    const repository = await t.database.system("test").repository.findUniqueOrThrow({ where: { id: connected.repository.id } });
    expect([repository.fullName, repository.gitSourceId, repository.readGantryWorkflows, repository.readGithubWorkflows, repository.defaultBranch]).toEqual(["team/api", source.id, true, false, "main"]);
    expect((await push(source.id, "team/api", connected.notifySecret)).status).toBe(202);

    const listed = (await asAdmin().repositories.list({ tenant })).repositories.find((row) => row.id === connected.repository.id);
    expect(listed).toMatchObject({ source: "git", via: { gitSourceId: source.id, name: "forge" }, lastRun: null });

    const rotated = await asAdmin().repositories.rotateGitSecret({ tenant, gitSourceId: source.id });
    expect(rotated.notifySecret).not.toBe(connected.notifySecret);
    expect((await push(source.id, "team/api", connected.notifySecret)).status).toBe(401);
    expect((await push(source.id, "team/api", rotated.notifySecret)).status).toBe(202);

    const created = (await auditOf(t, "git_source.created")).at(-1);
    expect(created?.data).toEqual({ name: "forge", url: "https://git.example.test/team/api.git", repository: "team/api", defaultBranch: "main" });
    expect(JSON.stringify((await auditOf(t, "git_source.secret.rotated")).map((event) => event.data))).not.toContain(rotated.notifySecret);
  });

  it("refuses bad input at its field, taken names, no master key and lower roles, writing nothing", async () => {
    const before = await t.database.system("test").gitSource.count();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "", url: "https://x.test/a.git", repository: "a/b" }, "name"],
      [{ name: "x", url: "ftp://x.test/a.git", repository: "a/b" }, "url"],
      [{ name: "x", url: "https://x.test/a.git", repository: "a b" }, "repository"],
    ];
    for (const [input, field] of cases) {
      const refused = await rejection(asAdmin().repositories.connectGit({ tenant, ...input } as never));
      expect(refused.code).toBe("BAD_REQUEST");
      expect(((refused.cause as { issues?: { path: unknown[] }[] }).issues ?? []).map((issue) => issue.path[0])).toContain(field);
    }
    expect((await rejection(asAdmin().repositories.connectGit({ tenant, name: "again", url: "/srv/git/demo.git", repository: DEMO.repositoryName }))).code).toBe("CONFLICT");
    expect((await rejection(callerFor(t, admin).repositories.connectGit({ tenant, name: "nokey", url: "/srv/git/x.git", repository: "x/y" }))).code).toBe("PRECONDITION_FAILED");
    for (const role of ["VIEWER", "DEVELOPER", "MAINTAINER"] as const) {
      const someone = callerFor(t, await member(t, role), { masterKey });
      expect((await rejection(someone.repositories.connectGit({ tenant, name: "mine", url: "/srv/git/m.git", repository: "m/n" }))).code).toBe("FORBIDDEN");
      expect((await rejection(someone.repositories.rotateGitSecret({ tenant, gitSourceId: DEMO.gitSourceId }))).code).toBe("FORBIDDEN");
    }
    expect(await t.database.system("test").gitSource.count()).toBe(before);
    expect((await rejection(asAdmin().repositories.rotateGitSecret({ tenant, gitSourceId: "gsrc_elsewhere" }))).code).toBe("NOT_FOUND");
  });
});
