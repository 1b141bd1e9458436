// A claim long-polling an idle pool answers when a job becomes ready, not at its next poll: the enqueue wakes it
// through the process's one subscriber (@gantry/scheduler ready-signal), against real Redis and Postgres.
import { randomBytes } from "node:crypto";
import { DEMO, intake, transitions } from "@gantry/db";
import { enqueueReady } from "@gantry/engine";
import { claimResponse } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { FALLBACK_MS } from "../src/server/runner-api/claim";
import { getServices } from "../src/server/services";
import { closeRunnerTest, demo, post, register } from "./runner-support";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
});

describe("a waiting claim", () => {
  it("answers with the job as soon as it is ready, well inside the fallback interval", async () => {
    const { runnerId, credential } = await register(t, "r-wake");
    const sys = t.database.system("test");
    const step = { index: 0, if: "success()", run: "true", env: {}, with: {}, continueOnError: false };
    const job = { key: "woken", jobId: "woken", name: "woken", needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 10, continueOnError: false, retry: { maxAttempts: 1 }, env: {}, outputs: {}, steps: [step] };
    const created = await intake.createRun(sys, demo, { repositoryId: DEMO.repositoryId, idempotencyKey: randomBytes(8).toString("hex"), workflowPath: ".gantry/workflows/ci.yml", workflowName: "CI", event: "push", ref: "refs/heads/main", sha: "c".repeat(40), trusted: true, plan: { jobs: [job] } });
    const jobId = created.rootJobIds[0] ?? "";
    await transitions.markJobWaiting(sys, demo, jobId);

    const waiter = getServices().readyWaiter;
    const answered = post(claimRoute, credential, { runnerId, waitMs: 20_000 });
    // The claim found nothing and has just begun a fallback wait: a poll would answer only when that wait ends.
    await expect.poll(() => waiter.waitingCount(DEMO.poolId), { timeout: 10_000, interval: 2 }).toBe(1);
    const enqueuedAt = performance.now();
    await enqueueReady(t.database, getServices().scheduler, demo, [jobId]);
    const { assignment } = claimResponse.parse(await (await answered).json());
    const elapsed = performance.now() - enqueuedAt;
    expect(assignment?.job.key).toBe("woken");
    // The wake is a PUBLISH away; the rest is the enqueue and the claim route's own work (attempt, token, assignment).
    expect(elapsed / FALLBACK_MS).toBeLessThan(0.5);
  });
});
