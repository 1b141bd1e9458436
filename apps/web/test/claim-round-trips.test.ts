// How many round trips to Postgres one claim takes, pinned (issue #15): the claim route is on the path from a
// ready job to its runner starting it, and each sequential statement adds to `readyToClaim` (bench first-log).
// A change that adds one shows here as a number; lower it here when a change saves one.
import { randomBytes } from "node:crypto";
import { recordStatements } from "@gantry/db/testing";
import { claimResponse } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
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

async function claimCounted(credential: string, runnerId: string) {
  const recording = recordStatements();
  try {
    const response = await post(claimRoute, credential, { runnerId, waitMs: 0 });
    return { assignment: claimResponse.parse(await response.json()).assignment, statements: [...recording.statements] };
  } finally {
    recording.stop();
  }
}

describe("a claim's round trips to Postgres", () => {
  it("are ten, in five rounds, for a ready job without needs, secrets or a stored event", async () => {
    const { runnerId, credential } = await register(t, "r-count");
    // A first claim warms the process (connections, Prisma's query plans), as a long-running web process is.
    await readyJob(t, "warm");
    expect((await claimCounted(credential, runnerId)).assignment?.job.key).toBe("warm");
    await readyJob(t, "counted");
    const { assignment, statements } = await claimCounted(credential, runnerId);
    expect(assignment?.job.key).toBe("counted");
    // The runner authenticated, marked seen, its pool's limits (1); the pool's access and the job (2, at once); the
    // job's transition with its attempt and job token (1); the run's (1); the job, the run without its plan, the
    // repository, the job's variables and the job's part of the plan (5, at once: a 256-cell matrix's whole plan,
    // read and parsed per claim, made a fan-out O(cells²)). It was 18 before issue #15, one after another.
    expect(statements, statements.join("\n")).toHaveLength(10);
  });
});
