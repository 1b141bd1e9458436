// A claim long-polling an idle pool answers when a job becomes ready, not at its next poll: the enqueue wakes it
// through the process's one subscriber (@gantry/scheduler ready-signal), against real Redis and Postgres.
import { randomBytes } from "node:crypto";
import { DEMO } from "@gantry/db";
import { claimResponse } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { FALLBACK_MS } from "../src/server/runner-api/claim";
import { getServices } from "../src/server/services";
import { closeRunnerTest, post, readyJob, register } from "./runner-support";
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
    const waiter = getServices().readyWaiter;
    const answered = post(claimRoute, credential, { runnerId, waitMs: 20_000 });
    // The claim found nothing and has just begun a fallback wait: a poll would answer only when it ends.
    await expect.poll(() => waiter.waitingCount(DEMO.poolId), { timeout: 10_000, interval: 5 }).toBe(1);
    const readiedAt = performance.now();
    const { jobId } = await readyJob(t, "woken");
    const { assignment } = claimResponse.parse(await (await answered).json());
    const elapsed = performance.now() - readiedAt;
    expect(assignment?.job.key).toBe("woken");
    expect(jobId).not.toBe("");
    // The wake is a PUBLISH away; the rest is the claim route's own work (attempt, token, assignment).
    expect(elapsed / FALLBACK_MS).toBeLessThan(0.5);
  });
});
