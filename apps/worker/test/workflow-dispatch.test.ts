import { randomBytes } from "node:crypto";
import { startRunsNow } from "./support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, runId, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { dispatchRunKey, type WorkflowDispatchPayload } from "@gantry/jobs";
import { processDelivery } from "../src/intake/process-delivery";
import { GitFixture } from "./git-fixture";
import { seedGitRepository } from "./git-repository-seed";

const MANUAL = `name: Manual
on:
  workflow_dispatch:
    inputs:
      flag: { type: boolean, default: false }
      count: { type: number, default: 1 }
jobs:
  when_flag:
    if: inputs.flag
    runs-on: ubuntu-latest
    steps: [{ run: echo flag }]
  unless_flag:
    if: \${{ !inputs.flag }}
    runs-on: ubuntu-latest
    steps: [{ run: echo no flag }]
  event_strings:
    if: github.event.inputs.flag == 'true' && github.event.inputs.count == '3'
    runs-on: ubuntu-latest
    steps: [{ run: echo strings }]
  typed:
    if: inputs.count == 3 && inputs.flag != 'true'
    runs-on: ubuntu-latest
    steps: [{ run: echo typed }]
`;

let testDb: TestDatabase;
let db: Database;
let repo: GitFixture;
const seeded = { tenantId: "ten_dispatch", repositoryId: "repo_dispatch", fullName: "dispatch/hello" };
const deps = () => ({ db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test") });
const scoped = () => db.forTenant({ tenantId: seeded.tenantId, actor: { kind: "SYSTEM" } });

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  repo = new GitFixture();
  await seedGitRepository(db, seeded, repo.bare);
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
  repo.remove();
});

async function store(payload: WorkflowDispatchPayload, deliveryId = `dispatch:${seeded.repositoryId}:${payload.idempotencyKey}`) {
  const { id } = await intake.recordDelivery(db.sql("test"), {
    deliveryId,
    source: "api",
    event: "workflow_dispatch",
    tenantId: seeded.tenantId,
    repositoryId: seeded.repositoryId,
    payload,
  });
  return id;
}

describe("workflow_dispatch intake", () => {
  it("makes a run with typed inputs that job ifs and github.event.inputs see, once per idempotency key", async () => {
    const { after } = repo.commit({ ".gantry/workflows/manual.yml": MANUAL });
    const payload = { idempotencyKey: randomBytes(8).toString("hex"), workflowPath: ".gantry/workflows/manual.yml", ref: "refs/heads/main", sha: after, inputs: { flag: true, count: 3 }, actor: "demo@gantry.local" };
    const deliveryRowId = await store(payload);
    const result = await processDelivery(deps(), deliveryRowId);
    const expectedId = runId(seeded.tenantId, dispatchRunKey(seeded.repositoryId, payload.idempotencyKey));
    expect(result?.runs).toEqual([{ runId: expectedId, created: true, workflowPath: payload.workflowPath, valid: true }]);

    const run = await scoped().workflowRun.findUniqueOrThrow({ where: { id: expectedId }, include: { jobs: true } });
    expect(run).toMatchObject({ event: "workflow_dispatch", inputs: { flag: true, count: 3 }, triggeredBy: "demo@gantry.local", trusted: true, sha: after });
    expect(Object.fromEntries(run.jobs.map((job) => [job.key, job.status]))).toEqual({
      when_flag: "WAITING",
      unless_flag: "SKIPPED",
      event_strings: "WAITING",
      typed: "WAITING",
    });

    // The same key again (a retried request stored under the same delivery id, or redelivered): still one run.
    expect(await store(payload)).toBe(deliveryRowId);
    expect(await processDelivery(deps(), deliveryRowId)).toBeNull();
    const second = await processDelivery(deps(), await store(payload, `other-${payload.idempotencyKey}`));
    expect(second?.runs.map((r) => r.created)).toEqual([false]);
    expect(await scoped().workflowRun.count({ where: { event: "workflow_dispatch", sha: after } })).toBe(1);
  });

  it("an invalid workflow becomes a FAILED run with positioned errors", async () => {
    const { after } = repo.commit({ ".gantry/workflows/broken.yml": "on: workflow_dispatch\njobs:\n  a:\n    steps: [{ run: echo }]\n" });
    const payload = { idempotencyKey: randomBytes(8).toString("hex"), workflowPath: ".gantry/workflows/broken.yml", ref: "refs/heads/main", sha: after, inputs: {}, actor: "demo@gantry.local" };
    const result = await processDelivery(deps(), await store(payload));
    expect(result?.runs[0]?.valid).toBe(false);
    const run = await scoped().workflowRun.findUniqueOrThrow({ where: { id: result!.runs[0]!.runId } });
    expect(run.status).toBe("FAILED");
    expect(run.errors).toEqual(expect.arrayContaining([expect.objectContaining({ file: payload.workflowPath, line: expect.any(Number), message: expect.any(String) })]));
  });

  it("a malformed payload fails the delivery and makes no run", async () => {
    const { id } = await intake.recordDelivery(db.sql("test"), { deliveryId: randomBytes(8).toString("hex"), source: "api", event: "workflow_dispatch", tenantId: seeded.tenantId, repositoryId: seeded.repositoryId, payload: { workflowPath: "x" } });
    expect((await processDelivery(deps(), id))?.outcome).toBe("IGNORED");
    const delivery = await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id } });
    expect(delivery.status).toBe("FAILED");
    expect(delivery.error).toContain("sha");
  });
});
