// POST /api/runner/v1/heartbeat: renews the attempt's lease and tells the runner whether to stop.
// 409 lease_lost: the lease lapsed (the attempt is or will be LOST); the runner must stop its sandbox.
import { attemptHeartbeatState, transitions } from "@gantry/db";
import { heartbeatRequest, heartbeatResponse } from "@gantry/runner-protocol";
import { attemptForToken } from "./attempt-auth";
import type { RunnerApiDeps } from "./deps";
import { readBody, refuse } from "./respond";

export async function handleHeartbeat(request: Request, deps: Pick<RunnerApiDeps, "database" | "leaseMs">): Promise<Response> {
  const body = await readBody(request, heartbeatRequest);
  if (!body.ok) return body.response;
  const auth = await attemptForToken(request, deps.database, body.value.attemptId);
  if (!auth.ok) return auth.response;
  const ctx = { tenantId: auth.attempt.tenantId, actor: { kind: "RUNNER" as const } };
  const sys = deps.database.system("runner heartbeat");
  const renewed = await transitions.renewLease(sys, ctx, auth.attempt.id, deps.leaseMs);
  const state = await attemptHeartbeatState(deps.database.sql("runner heartbeat: the attempt's state"), ctx.tenantId, auth.attempt.id);
  if (!state) return refuse(404, "unknown_attempt", "No such attempt.");
  if (!renewed && (state.status === "ASSIGNED" || state.status === "RUNNING" || state.status === "LOST")) {
    return refuse(409, "lease_lost", "The lease lapsed before this heartbeat; stop the job.");
  }
  if (state.status === "ASSIGNED") await transitions.markAttemptRunning(sys, ctx, auth.attempt.id);
  const cancelled = state.job.status === "CANCELED" || state.job.status === "TIMED_OUT" || state.job.attempt !== auth.attempt.number;
  const attemptEnded = state.status !== "ASSIGNED" && state.status !== "RUNNING";
  const reason = state.job.status === "TIMED_OUT" ? "the job timed out" : state.job.status === "CANCELED" ? "the job was cancelled" : attemptEnded ? "the attempt has ended" : undefined;
  return Response.json(
    heartbeatResponse.parse({ cancel: cancelled || attemptEnded, ...(reason ? { reason } : {}), leaseExpiresAt: state.leaseExpiresAt.toISOString() }),
  );
}
