// A new run's first advance: admitted to its workflow-level concurrency group (from the stored plan), then its
// root jobs decided through their `if`. Intake only creates the run and asks for this (an advance-run job with
// `start`), so intake, schedules and reconcilers never orchestrate themselves.
import type { Database, TenantContext } from "@gantry/db";
import { githubContext } from "@gantry/runner-protocol";
import { advanceRun, type AdvanceOptions, type AdvanceResult } from "./advance-run";
import { cancelRun } from "./cancel";
import { admitRun, evaluateConcurrency } from "./concurrency";
import { readPlan } from "../plan/read-plan";
import { REPOSITORY_FOR_FACTS, inputsContext, runFacts } from "../contexts/run-facts";
import { jobVariables } from "../contexts/variables";

const NOTHING: AdvanceResult = { ready: [], skipped: [], failed: [], cancelled: [], held: [] };

export async function startRun(db: Database, ctx: TenantContext, runId: string, hooks: AdvanceOptions = {}): Promise<AdvanceResult> {
  const run = await db.forTenant(ctx).workflowRun.findUnique({ where: { id: runId }, include: { repository: REPOSITORY_FOR_FACTS } });
  if (!run) return NOTHING;
  // Only a run not yet started is admitted: a start asked twice (a redelivered job) is one advance.
  if (run.status === "QUEUED" && run.startedAt === null && run.concurrencyGroup === null) {
    const [facts, vars] = await Promise.all([runFacts(db, run, hooks.github ?? null), jobVariables(db, ctx, { repositoryId: run.repositoryId })]);
    const concurrency = evaluateConcurrency(readPlan(run.plan)?.concurrency, { github: githubContext(facts), inputs: inputsContext(run), vars });
    if (concurrency) {
      const admission = await admitRun(db.system("concurrency admission"), ctx, runId, concurrency);
      for (const other of admission.cancel) await cancelRun(db, ctx, other, `superseded in concurrency group ${concurrency.group}`, hooks);
      if (!admission.admitted) return NOTHING;
    }
  }
  return advanceRun(db, ctx, runId, hooks);
}
