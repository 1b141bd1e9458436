// Schedules of a GitHub repository against the fake GitHub server: a push to the default branch syncs them
// from the files intake already read; a tick runs the default branch's head as the branches API reports it.
import { createPrivateKey, randomBytes, randomUUID } from "node:crypto";
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { InstallationTokens, syncInstallation } from "@gantry/github";
import { FakeGithub, publishedExamples } from "@gantry/github/testing";
import type { GithubIntakeDeps } from "../../src/intake/github/types";
import { processDelivery } from "../../src/intake/process-delivery";
import { runScheduleTick } from "../../src/intake/schedules/schedule-tick";

const INSTALLATION = 5150;
const REPO_ID = 990_001;
const FULL_NAME = "acme/cron";
const NIGHTLY = ".gantry/workflows/nightly.yml";
const nightly = (cron: string) => `name: Nightly
on:
  push:
  schedule:
    - cron: "${cron}"
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo nightly
`;

let testDb: TestDatabase;
let db: Database;
let fake: FakeGithub;
let deps: GithubIntakeDeps;
let repositoryId: string;
const sha = () => randomBytes(20).toString("hex");

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(INSTALLATION);
  fake.addRepository(FULL_NAME, INSTALLATION, REPO_ID);
  await syncInstallation(db, {
    name: "installation",
    payload: { action: "created", installation: { id: INSTALLATION, account: { id: 3, login: "acme", type: "Organization" } }, repositories: [{ id: REPO_ID, name: "cron", full_name: FULL_NAME, private: true }] },
  });
  const repository = await db.system("test").repository.findUniqueOrThrow({ where: { githubRepoId: BigInt(REPO_ID) } });
  repositoryId = repository.id;
  await db.system("test setup").runnerPool.create({ data: { id: "pool", tenantId: repository.tenantId, name: "default", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
  const github = { apiUrl: fake.url, tokens: new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url }), checks: false };
  deps = { db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"), github };
});
afterAll(async () => {
  await fake?.stop();
  await db?.close();
  await testDb?.drop();
});

/** A commit on `branch` on the fake server, and GitHub's push delivery for it, processed. */
async function push(files: Record<string, string>, branch = "main") {
  const after = sha();
  fake.addCommit(FULL_NAME, INSTALLATION, after, files);
  fake.setBranch(FULL_NAME, INSTALLATION, branch, after);
  const base = publishedExamples("push").find((payload) => payload.installation !== undefined) ?? {};
  const payload = {
    ...base,
    ref: `refs/heads/${branch}`,
    before: sha(),
    after,
    created: false,
    deleted: false,
    forced: false,
    commits: [],
    head_commit: { ...(base.head_commit as object), id: after },
    repository: { ...(base.repository as object), id: REPO_ID, name: "cron", full_name: FULL_NAME, default_branch: "main" },
    installation: { id: INSTALLATION },
  };
  const { id } = await intake.recordDelivery(db.sql("test"), { deliveryId: randomUUID(), source: "github", event: "push", payload: JSON.parse(JSON.stringify(payload)) });
  await processDelivery(deps, id);
  return after;
}

const rows = async () => (await db.system("test").workflowSchedule.findMany({ where: { repositoryId } })).map((row) => [row.workflowPath, row.cron, row.sha]);
const scheduledRuns = () => db.system("test").workflowRun.findMany({ where: { repositoryId, event: "schedule" } });

describe("GitHub schedules", () => {
  it("a push to the default branch syncs the schedules from the files intake read, without reading them again", async () => {
    const before = fake.callsTo(/^GET \/repos\/acme\/cron\/contents\//).length;
    const first = await push({ [NIGHTLY]: nightly("0 3 * * *") });
    expect(await rows()).toEqual([[NIGHTLY, "0 3 * * *", first]]);
    // Two folder listings (.gantry/workflows, and .github/workflows that a GitHub repository reads too) and one file.
    expect(fake.callsTo(/^GET \/repos\/acme\/cron\/contents\//).length - before).toBe(3);

    await push({ [NIGHTLY]: nightly("15 1 * * *") }, "feature");
    expect(await rows()).toEqual([[NIGHTLY, "0 3 * * *", first]]);
  });

  it("a tick runs the workflow at the default branch's head, once per firing", async () => {
    // main moves on GitHub without a delivery: the tick still runs the latest commit.
    const head = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, head, { [NIGHTLY]: nightly("0 3 * * *"), "src/app.ts": "new" });
    fake.setBranch(FULL_NAME, INSTALLATION, "main", head);
    const payload = { repositoryId, workflowPath: NIGHTLY, cron: "0 3 * * *" };
    const tickAt = new Date("2026-11-28T03:00:00.000Z");
    expect((await runScheduleTick(deps, payload, tickAt)).outcome).toBe("CREATED");
    expect((await runScheduleTick(deps, payload, tickAt)).outcome).toBe("EXISTS");
    const [run, ...others] = await scheduledRuns();
    expect(others).toEqual([]);
    expect(run).toMatchObject({ sha: head, ref: "refs/heads/main", trusted: true, idempotencyKey: `schedule:${repositoryId}:${NIGHTLY}:0 3 * * *:2026-11-28T03:00:00.000Z` });
  });

  it("a head without the cron makes no run and re-syncs the schedules", async () => {
    const head = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, head, { [NIGHTLY]: nightly("45 6 * * *") });
    fake.setBranch(FULL_NAME, INSTALLATION, "main", head);
    const result = await runScheduleTick(deps, { repositoryId, workflowPath: NIGHTLY, cron: "0 3 * * *" }, new Date("2026-11-29T03:00:00.000Z"));
    expect(result.outcome).toBe("STALE");
    expect(await scheduledRuns()).toHaveLength(1);
    expect(await rows()).toEqual([[NIGHTLY, "45 6 * * *", head]]);
  });
});
