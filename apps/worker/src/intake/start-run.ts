// Admits a new run to its workflow-level concurrency group, then advances its root jobs through their `if`
// (shared by plain-git and GitHub intake).
import type { TenantContext } from "@gantry/db";
import { advanceRun, githubContext, inputsContext } from "../orchestration/advance-run";
import { cancelRun } from "../orchestration/cancel";
import { admitRun, evaluateConcurrency, type ConcurrencySpec } from "../orchestration/concurrency";
import type { IntakeDeps } from "./process-git-push";

export async function startRun(deps: IntakeDeps, ctx: TenantContext, runId: string, spec: ConcurrencySpec | undefined): Promise<void> {
  const onReady = (jobIds: string[]) => deps.onReady?.(ctx, jobIds) ?? Promise.resolve();
  const run = await deps.db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: runId } });
  const concurrency = evaluateConcurrency(spec, { github: githubContext(run), inputs: inputsContext(run), vars: {} });
  if (concurrency) {
    const admission = await admitRun(deps.db.system("concurrency admission"), ctx, runId, concurrency);
    for (const other of admission.cancel) await cancelRun(deps.db, ctx, other, `superseded in concurrency group ${concurrency.group}`, onReady);
    if (!admission.admitted) return;
  }
  const result = await advanceRun(deps.db, ctx, runId, onReady);
  if (result.held.length > 0) await deps.onHeld?.(ctx, runId, result.held);
}
