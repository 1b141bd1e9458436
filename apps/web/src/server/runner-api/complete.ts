// POST /api/runner/v1/complete: the attempt's conclusion. Idempotent; applied only while the lease is live.
// The run's DAG advances in the worker (an advance-run job), where every orchestration decision is taken.
import { indexAttemptLogJobId, requestAdvanceAfterJobEnd } from "@gantry/jobs";
import { completeRequest, completeResponse } from "@gantry/runner-protocol";
import { engineOf } from "./engine";
import { attemptForToken } from "./attempt-auth";
import type { RunnerApiDeps } from "./deps";
import { requestTokenRevocation } from "./github-token";
import { readBody } from "./respond";

export async function handleComplete(request: Request, deps: RunnerApiDeps): Promise<Response> {
  const body = await readBody(request, completeRequest);
  if (!body.ok) return body.response;
  const auth = await attemptForToken(request, deps.database, body.value.attemptId);
  if (!auth.ok) return auth.response;
  // The runner drops job outputs that carry a secret and masks its failure reason; whatever it did, the job's secrets
  // are kept out here too (job-secrets.ts). An output that carries one is dropped, not masked, as the runner does:
  // the jobs that need it would get `***` in its place.
  const masker = deps.maskers ? await deps.maskers.maskerFor(auth.attempt.id) : null;
  const outputs = masker ? Object.fromEntries(Object.entries(body.value.outputs).filter(([, value]) => masker.mask(value) === value)) : body.value.outputs;
  const failureReason = body.value.failureReason && masker ? masker.mask(body.value.failureReason) : body.value.failureReason;
  const result = await engineOf(deps).complete({
    tenantId: auth.attempt.tenantId,
    attemptId: auth.attempt.id,
    conclusion: body.value.conclusion,
    outputs,
    ...(failureReason ? { failureReason } : {}),
    ...(body.value.failureCause ? { failureCause: body.value.failureCause } : {}),
  });
  // The job's GITHUB_TOKEN dies with the attempt; an attempt without one (no GitHub App) needs no job for it.
  if (auth.attempt.hasGithubToken) await requestTokenRevocation(deps.queues, auth.attempt.tenantId, auth.attempt.id);
  // Log search indexes the attempt's archived log in the worker (never on the logs route: it is the hot path).
  await deps.queues.add("index-attempt-log", { tenantId: auth.attempt.tenantId, attemptId: auth.attempt.id }, indexAttemptLogJobId(auth.attempt.id));
  // Coalesced per run: a matrix's cells ending together make a few advances, not one each.
  if (result.runId) await requestAdvanceAfterJobEnd(deps.queues, auth.attempt.tenantId, result.runId, auth.attempt.id);
  return Response.json(completeResponse.parse({ applied: result.applied }));
}
