// Validation warnings reach the run: plain-git intake keeps every warning of the workflow and of the workflows it
// calls (each naming its own file), and a tenant that counts script injection as an error gets the workflow refused
// like any invalid one — a FAILED run with the finding's position and no jobs.
import { randomBytes } from "node:crypto";
import { startRunsNow } from "./support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { processDelivery } from "../src/intake/process-delivery";
import { GitFixture } from "./git-fixture";

const GREET = `name: Greet
on: push
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.event.pull_request.title }}"
`;
const LIB = `on:
  workflow_call:
jobs:
  hello:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.head_ref }}"
`;
const CALLER = "on: push\njobs:\n  call:\n    uses: ./.gantry/lib/hello.yml\n";

let testDb: TestDatabase;
let db: Database;
let repo: GitFixture;
const tenantId = "ten_warnings";
const repositoryId = "repo_warnings";
const deps = () => ({ db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test") });
const scoped = () => db.forTenant({ tenantId, actor: { kind: "SYSTEM" } });

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  repo = new GitFixture();
  const sys = db.system("test setup");
  await sys.tenant.create({ data: { id: tenantId, slug: "warnings", name: "Warnings" } });
  await sys.gitSource.create({ data: { id: "src_warnings", tenantId, name: "local", url: repo.bare, notifySecretCiphertext: new Uint8Array() } });
  await sys.repository.create({ data: { id: repositoryId, tenantId, fullName: "warnings/hello", gitSourceId: "src_warnings" } });
  await sys.runnerPool.create({ data: { id: "pool_warnings", tenantId, name: "default", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
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
    payload: { repository: "warnings/hello", ref: `refs/heads/${branch}`, ...push },
  });
  await processDelivery(deps(), id);
  return scoped().workflowRun.findFirst({ where: { sha: push.after, workflowPath: workflow }, include: { jobs: true } });
}

const injectionAt = (file: string, line: number, col: number, context: string) =>
  expect.objectContaining({ file, line, col, code: "script-injection", severity: "warning", message: expect.stringContaining(`"${context}" is potentially untrusted`) });

describe("validation warnings at intake", () => {
  it("a run keeps the script-injection warning of its workflow, with file, line and column", async () => {
    const run = await pushAndTakeIn({ ".gantry/workflows/greet.yml": GREET }, "greet", ".gantry/workflows/greet.yml");
    expect(run?.status).not.toBe("FAILED");
    expect(run?.jobs.map((job) => job.key)).toEqual(["greet"]);
    expect(run?.warnings).toEqual([injectionAt(".gantry/workflows/greet.yml", 7, 24, "github.event.pull_request.title")]);
  });

  it("a warning in a called reusable workflow names the called file", async () => {
    const run = await pushAndTakeIn({ ".gantry/workflows/calls.yml": CALLER, ".gantry/lib/hello.yml": LIB }, "calls", ".gantry/workflows/calls.yml");
    expect(run?.status).not.toBe("FAILED");
    expect(run?.warnings).toEqual([injectionAt(".gantry/lib/hello.yml", 7, 24, "github.head_ref")]);
  });

  it("with the tenant's injection-is-an-error setting, the workflow is refused like an invalid one, with the position", async () => {
    await db.system("test: the tenant's setting").tenant.update({ where: { id: tenantId }, data: { injectionLintError: true } });
    try {
      const run = await pushAndTakeIn({ ".gantry/workflows/greet.yml": GREET.replace("echo", "echo -n") }, "strict", ".gantry/workflows/greet.yml");
      expect(run?.status).toBe("FAILED");
      expect(run?.jobs).toEqual([]);
      expect(run?.errors).toEqual([expect.objectContaining({ file: ".gantry/workflows/greet.yml", line: 7, col: 27, code: "script-injection", severity: "error" })]);
      // The refused finding is an error, not a warning as well.
      expect(run?.warnings ?? []).toEqual([]);
    } finally {
      await db.system("test: the tenant's setting").tenant.update({ where: { id: tenantId }, data: { injectionLintError: false } });
    }
  });
});
