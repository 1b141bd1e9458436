// The tenant's allowed-actions policy at intake: a pushed workflow that names an action outside it becomes a FAILED
// run with no jobs and the refusal at the `uses:` (file, line, column, the action and the rule); the same workflow
// plans when the policy allows the action.
import { randomBytes } from "node:crypto";
import { startRunsNow } from "./support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { processDelivery } from "../src/intake/process-delivery";
import { GitFixture } from "./git-fixture";

const BUILD = `name: Build
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
      - uses: foo/bar@v1
      - run: npm test
`;

let testDb: TestDatabase;
let db: Database;
let repo: GitFixture;
const tenantId = "ten_actions";
const repositoryId = "repo_actions";
const deps = () => ({ db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test") });
const scoped = () => db.forTenant({ tenantId, actor: { kind: "SYSTEM" } });
const setPolicy = (allowedActions: object) => db.system("test: the tenant's policy").tenant.update({ where: { id: tenantId }, data: { allowedActions } });

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  repo = new GitFixture();
  const sys = db.system("test setup");
  await sys.tenant.create({ data: { id: tenantId, slug: "actions", name: "Actions" } });
  await sys.gitSource.create({ data: { id: "src_actions", tenantId, name: "local", url: repo.bare, notifySecretCiphertext: new Uint8Array() } });
  await sys.repository.create({ data: { id: repositoryId, tenantId, fullName: "actions/hello", gitSourceId: "src_actions" } });
  await sys.runnerPool.create({ data: { id: "pool_actions", tenantId, name: "default", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
  repo.remove();
});

/** Commits `files` on `branch`, takes the push in, and returns the run of `workflow` at that commit. */
async function pushAndTakeIn(files: Record<string, string>, branch: string, workflow: string) {
  repo.checkout(branch);
  const push = repo.commit(files, branch);
  const { id } = await intake.recordDelivery(db.sql("test"), {
    deliveryId: randomBytes(8).toString("hex"),
    source: "git",
    event: "push",
    tenantId,
    repositoryId,
    payload: { repository: "actions/hello", ref: `refs/heads/${branch}`, ...push },
  });
  await processDelivery(deps(), id);
  return scoped().workflowRun.findFirst({ where: { sha: push.after, workflowPath: workflow }, include: { jobs: true } });
}

describe("allowed-actions policy at intake", () => {
  it("a new tenant allows every action: the workflow plans", async () => {
    expect((await db.system("test").tenant.findUniqueOrThrow({ where: { id: tenantId } })).allowedActions).toEqual({ kind: "all" });
    const run = await pushAndTakeIn({ ".gantry/workflows/build.yml": BUILD }, "all", ".gantry/workflows/build.yml");
    expect(run?.status).not.toBe("FAILED");
    expect(run?.jobs.map((job) => job.key)).toEqual(["build"]);
  });

  it("GitHub-owned only: the run FAILS at intake with the refused action's file, line, column and the rule", async () => {
    await setPolicy({ kind: "github-owned" });
    try {
      const run = await pushAndTakeIn({ ".gantry/workflows/build.yml": BUILD.replace("npm test", "npm test -- --ci") }, "owned", ".gantry/workflows/build.yml");
      expect(run?.status).toBe("FAILED");
      expect(run?.jobs).toEqual([]);
      expect(run?.errors).toEqual([
        expect.objectContaining({
          file: ".gantry/workflows/build.yml",
          line: 9,
          col: 15,
          code: "action-not-allowed",
          severity: "error",
          message: 'action "foo/bar@v1" is not allowed: this tenant allows GitHub-owned actions only (owners "actions" and "github") and local actions',
        }),
      ]);
    } finally {
      await setPolicy({ kind: "all" });
    }
  });

  it("a list of patterns: what it names plans, the rest is refused with the patterns", async () => {
    await setPolicy({ kind: "list", patterns: ["actions/*", "foo/bar@v1"] });
    try {
      const allowed = await pushAndTakeIn({ ".gantry/workflows/build.yml": BUILD.replace("npm test", "npm run lint") }, "listed", ".gantry/workflows/build.yml");
      expect(allowed?.status).not.toBe("FAILED");
      const refused = await pushAndTakeIn({ ".gantry/workflows/build.yml": BUILD.replace("foo/bar@v1", "foo/bar@v2") }, "unlisted", ".gantry/workflows/build.yml");
      expect(refused?.status).toBe("FAILED");
      expect(refused?.errors).toEqual([expect.objectContaining({ line: 9, col: 15, code: "action-not-allowed", message: expect.stringContaining(`"actions/*", "foo/bar@v1"`) })]);
    } finally {
      await setPolicy({ kind: "all" });
    }
  });
});
