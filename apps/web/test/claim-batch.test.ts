// A runner with free slots asks for as many jobs as it has (`max`): one claim request answers with up to that many
// (capped by MAX_CLAIM_BATCH), each its own attempt with its own job token, from one pick of the fair queue. A runner
// that asks for one (or an older one that sends no `max`) gets the answer it always got.
import { randomBytes } from "node:crypto";
import { DEMO } from "@gantry/db";
import { recordStatements } from "@gantry/db/testing";
import { claimResponse, heartbeatResponse } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as heartbeatRoute } from "../src/app/api/runner/v1/heartbeat/route";
import { MAX_CLAIM_BATCH } from "../src/server/runner-api/claim";
import { closeRunnerTest, post, readyJob, register } from "./runner-support";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix });
  // The jobs claimed here are never completed: the demo tenant's cap on running jobs must not be what stops a batch.
  await t.database.system("test: no tenant cap").tenant.update({ where: { id: DEMO.tenantId }, data: { maxConcurrentJobs: 1000 } });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
});

async function claim(credential: string, runnerId: string, body: Record<string, unknown>) {
  const response = await post(claimRoute, credential, { runnerId, waitMs: 0, ...body });
  expect(response.status).toBe(200);
  return claimResponse.parse(await response.json());
}

describe("a batched claim", () => {
  it("hands a runner up to `max` jobs in one answer, each with its own attempt and working job token", async () => {
    const { runnerId, credential } = await register(t, "r-batch");
    const keys = ["b1", "b2", "b3", "b4", "b5"];
    for (const key of keys) await readyJob(t, key);

    const first = await claim(credential, runnerId, { max: 3 });
    expect(first.assignments).toHaveLength(3);
    expect(first.assignment).toEqual(first.assignments?.[0]);
    const second = await claim(credential, runnerId, { max: 10 });
    expect(second.assignments).toHaveLength(2);
    const all = [...(first.assignments ?? []), ...(second.assignments ?? [])];
    // Every ready job exactly once, in the order the fair queue offered them (one tenant: first ready, first out).
    expect(all.map((assignment) => assignment.job.key)).toEqual(keys);
    expect(new Set(all.map((assignment) => assignment.attemptId)).size).toBe(5);
    expect(new Set(all.map((assignment) => assignment.jobToken)).size).toBe(5);
    for (const assignment of all) {
      const beat = await post(heartbeatRoute, assignment.jobToken, { attemptId: assignment.attemptId });
      expect(beat.status).toBe(200);
      expect(heartbeatResponse.parse(await beat.json()).cancel).toBe(false);
    }
    // A token answers for its own attempt only.
    const [a, b] = all;
    expect((await post(heartbeatRoute, a!.jobToken, { attemptId: b!.attemptId })).status).not.toBe(200);
    // Nothing left: the answer is empty, as a single claim's is.
    expect(await claim(credential, runnerId, { max: 4 })).toEqual({ assignment: null });
  });

  it("carries at most MAX_CLAIM_BATCH jobs however many the runner asks for; the rest wait for its next claim", async () => {
    const { runnerId, credential } = await register(t, "r-cap");
    for (let i = 0; i < MAX_CLAIM_BATCH + 2; i++) await readyJob(t, `cap-${i}`);
    expect((await claim(credential, runnerId, { max: 256 })).assignments).toHaveLength(MAX_CLAIM_BATCH);
    expect((await claim(credential, runnerId, { max: 256 })).assignments).toHaveLength(2);
  });

  it("answers a runner that sends no `max` with one job and no `assignments`, as before", async () => {
    const { runnerId, credential } = await register(t, "r-old");
    await readyJob(t, "old-1");
    await readyJob(t, "old-2");
    const answer = await claim(credential, runnerId, {});
    expect(answer.assignment?.job.key).toBe("old-1");
    expect(answer.assignments).toBeUndefined();
    expect((await claim(credential, runnerId, {})).assignment?.job.key).toBe("old-2");
  });

  it("refuses a `max` outside 1..256 with the field named, claiming nothing", async () => {
    const { runnerId, credential } = await register(t, "r-bad");
    await readyJob(t, "bad-1");
    for (const max of [0, 257, 1.5]) {
      const response = await post(claimRoute, credential, { runnerId, waitMs: 0, max });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("max");
    }
    expect((await claim(credential, runnerId, {})).assignment?.job.key).toBe("bad-1");
  });

  it("costs fewer statements per job than one claim per job: the runner is checked once per request", async () => {
    const { runnerId, credential } = await register(t, "r-count");
    await readyJob(t, "warm");
    await claim(credential, runnerId, { max: 1 });
    const count = async (jobs: number, max: number, requests: number) => {
      for (let i = 0; i < jobs; i++) await readyJob(t, `count-${max}-${i}`);
      const recording = recordStatements();
      try {
        for (let i = 0; i < requests; i++) await claim(credential, runnerId, { max });
        return recording.statements.length;
      } finally {
        recording.stop();
      }
    };
    const single = await count(4, 1, 4);
    const batched = await count(4, 4, 1);
    // Four single claims: 4 × 10 (claim-round-trips.test.ts). One batch of four: the runner checked once (3 fewer),
    // and the four jobs' rows and their runs' rows each read in one statement, not four (Prisma batches the
    // findUnique calls made in one tick: 6 fewer); each job's own statements are as before.
    expect(single).toBe(40);
    expect(batched).toBe(31);
  });
});
