// POST /api/runner/v1/complete: the attempt's conclusion. Idempotent; applied only while the lease is live.
// The run's DAG advances in the worker (an advance-run job), where every orchestration decision is taken.
import { completeRequest, completeResponse } from "@gantry/runner-protocol";
import { completeAttempt } from "@gantry/scheduler";
import { attemptForToken } from "./attempt-auth";
import type { RunnerApiDeps } from "./deps";
import { readBody } from "./respond";

export async function handleComplete(request: Request, deps: RunnerApiDeps): Promise<Response> {
  const body = await readBody(request, completeRequest);
  if (!body.ok) return body.response;
  const auth = await attemptForToken(request, deps.database, body.value.attemptId);
  if (!auth.ok) return auth.response;
  const result = await completeAttempt(deps.database, deps.scheduler, {
    tenantId: auth.attempt.tenantId,
    attemptId: auth.attempt.id,
    conclusion: body.value.conclusion,
    outputs: body.value.outputs,
    ...(body.value.failureReason ? { failureReason: body.value.failureReason } : {}),
  });
  if (result.runId) await deps.queues.add("advance-run", { tenantId: auth.attempt.tenantId, runId: result.runId }, `advance-${auth.attempt.id}`);
  return Response.json(completeResponse.parse({ applied: result.applied }));
}
