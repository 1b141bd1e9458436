// The claim that moves a run to RUNNING asks for its workflow_run `in_progress` event at once (the worker records
// it), instead of leaving it to the run's next job change; every later claim of the run collapses into that request.
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimedJob, closeRunnerTest } from "./runner-support";
import { DEMO, setupWebTest, stubWebEnv, TEST_REDIS_URL, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix });
});
afterAll(() => closeRunnerTest(t, prefix));

describe("the claim and workflow_run", () => {
  it("asks for the run's in_progress event when its first job is claimed", async () => {
    const { runId } = await claimedJob(t, "first");
    const run = await t.database.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("RUNNING");
    const redis = new Redis(TEST_REDIS_URL);
    const queue = new Queue("gantry-intake", { connection: redis, prefix });
    try {
      const job = await queue.getJob(`workflow-run-events-${runId}-RUNNING`);
      expect(job?.name).toBe("workflow-run-events");
      expect(job?.data).toEqual({ tenantId: DEMO.tenantId, runId });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
