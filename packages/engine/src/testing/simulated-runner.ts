// What a runner's attempt does to a job, for tests of the worker alone: takes it (attempt + lease), sets its
// outputs, ends it. Advancing the run is left to the test.
import { transitions, type Database, type TenantContext } from "@gantry/db";

export async function runJobAsRunner(db: Database, ctx: TenantContext, runId: string, key: string, conclusion: "SUCCEEDED" | "FAILED", outputs?: Record<string, string>): Promise<void> {
  const sys = db.system("test: a simulated runner");
  const job = await sys.jobRun.findFirstOrThrow({ where: { runId, key } });
  const assignment = await transitions.assignJob(sys, ctx, { jobId: job.id, expectedAttempt: job.attempt, leaseMs: 30_000 });
  if (!assignment) throw new Error(`${key} was not assignable (${job.status})`);
  await transitions.markRunRunning(sys, ctx, runId);
  if (outputs) await sys.jobRun.update({ where: { id: job.id }, data: { outputs } });
  await transitions.finishJob(sys, ctx, job.id, assignment.attempt, conclusion);
}
