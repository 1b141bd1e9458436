// POST /api/runner/v1/claim: long poll for work on the runner's pool. The engine claims (the fair scheduler picks,
// Postgres records the attempt with its lease, the job token, the timer, the contexts); this adapter adds what needs
// the web's keys — the GITHUB_TOKEN (the GitHub App's key) and the actions runtime token — and the pool's limits.
import { authenticateClaimingRunner, poolLimitsOf } from "@gantry/db";
import type { ClaimAssignment } from "@gantry/engine";
import { claimRequest, claimResponse, type Assignment, type PoolLimits } from "@gantry/runner-protocol";
import type { RunnerApiDeps } from "./deps";
import { engineOf } from "./engine";
import { mintJobGithubToken } from "./github-token";
import { bearer, readBody, refuse } from "./respond";
import { mintRuntimeToken } from "../actions-services/runtime-token";

// A waiting claim is woken when its pool gets work (ready-signal.ts); this is only the re-check should a wake be lost.
export const FALLBACK_MS = 1_000;
// The most jobs one answer carries, whatever the runner asks for: each is prepared (its plan slice, contexts,
// secrets) before the answer goes, so a larger batch would hold the first job back for the last one's preparation.
export const MAX_CLAIM_BATCH = 16;

export async function handleClaim(request: Request, deps: RunnerApiDeps): Promise<Response> {
  const credential = bearer(request);
  if (!credential) return refuse(401, "unauthorized", "Missing `Authorization: Bearer <runner credential>` header (from register).");
  const body = await readBody(request, claimRequest);
  if (!body.ok) return body.response;
  // One statement: the runner by its credential, marked seen, with its pool's limits as they are now. Read per
  // claim, not at register: a change to the pool's limits applies from its next job. Before claiming, so a pool
  // whose limits fail validation (edited by hand) assigns nothing rather than a job it cannot bound.
  const runner = await authenticateClaimingRunner(deps.database, body.value.runnerId, credential, new Date());
  if (!runner) return refuse(401, "unauthorized", "The runner credential does not match this runner.");
  const limits = poolLimitsOf(runner.limits);
  const deadline = Date.now() + body.value.waitMs;
  if (runner.draining) {
    // Drained by an admin: its current job finishes (heartbeat and complete use the job token), nothing new is
    // given. The poll is held for its wait so a drained runner does not spin.
    await new Promise((resolve) => setTimeout(resolve, body.value.waitMs));
    return Response.json(claimResponse.parse({ assignment: null }));
  }
  for (;;) {
    // Read before looking at the queue: a job made ready while this claim runs wakes the wait below at once.
    const mark = await deps.ready.mark(runner.poolId);
    const input = { poolId: runner.poolId, runnerId: runner.id, leaseMs: deps.leaseMs, maxTimeoutMinutes: limits.maxTimeoutMinutes };
    const max = Math.min(body.value.max, MAX_CLAIM_BATCH);
    const claim = () => (max === 1 ? engineOf(deps).claim(input).then((one) => (one ? [one] : [])) : engineOf(deps).claimMany(input, max));
    const assigned = await deps.ready.inTurn(runner.poolId, claim, deadline);
    if (assigned && assigned.length > 0) {
      // A job whose tokens cannot be minted (GitHub unreachable) is left to its lease, as a single claim would leave it;
      // it does not take the batch's other jobs down with it.
      const settled = await Promise.allSettled(assigned.map((one) => answerFor(deps, one, limits)));
      const answers = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
      const failed = settled.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
      if (answers.length === 0 && failed.length > 0) throw failed[0];
      for (const reason of failed) console.error(`[runner-api] claim: an assignment could not be answered; its lease will lapse and the reaper retries it: ${reason instanceof Error ? reason.message : String(reason)}`);
      // The first job as `assignment` (what a runner asking for one reads); all of them when it asked for more.
      return Response.json(claimResponse.parse({ assignment: answers[0], ...(body.value.max > 1 ? { assignments: answers } : {}) }));
    }
    const left = deadline - Date.now();
    if (left <= 0) return Response.json(claimResponse.parse({ assignment: null }));
    await deps.ready.wait(runner.poolId, mark, Math.min(FALLBACK_MS, left));
  }
}

/** The engine's assignment (its secrets included) plus what only the web can mint: the GITHUB_TOKEN and runtime token. */
async function answerFor(deps: RunnerApiDeps, assigned: ClaimAssignment, limits: PoolLimits): Promise<Assignment> {
  const { claimed, row } = assigned;
  const repository = row.run.repository;
  const github = repository.installation ? (deps.github?.() ?? null) : null;
  // The job's GITHUB_TOKEN: GitHub-connected repositories only (a plain git run gets none).
  const githubToken =
    github && repository.installation
      ? await mintJobGithubToken(deps.database, github, deps.masterKey ?? null, {
          tenantId: claimed.tenantId,
          attemptId: claimed.attemptId,
          installationId: repository.installation.githubInstallationId,
          repositoryGithubId: repository.githubRepoId,
          fullName: repository.fullName,
          permissions: assigned.planned.permissions,
          trusted: row.run.trusted,
        })
      : null;
  return {
    attemptId: claimed.attemptId,
    attempt: claimed.attempt,
    jobToken: assigned.jobToken,
    leaseMs: deps.leaseMs,
    heartbeatMs: deps.heartbeatMs,
    run: { ...assigned.run, githubToken },
    strategy: assigned.strategy,
    job: assigned.job,
    ...(deps.runtimeTokenKey ? { runtimeToken: await mintRuntimeToken(deps.runtimeTokenKey, { tenantId: claimed.tenantId, runId: row.run.id, jobRunId: claimed.jobId, attemptId: claimed.attemptId }, { issuedAt: Date.now(), timeoutMinutes: assigned.timeoutMinutes }) } : {}),
    secrets: assigned.secrets,
    needs: assigned.needs,
    vars: assigned.vars,
    limits,
  };
}
