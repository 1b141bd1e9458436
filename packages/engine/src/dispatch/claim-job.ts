// A runner asks its pool for work: the fair queue picks a job, and Postgres makes it an attempt with a lease.
// Redis picks, Postgres decides: if the job is no longer waiting (cancelled, taken by a racing claim after a
// rebuild), the claim is released and the next job is tried. A job whose tenant may no longer use the pool (an
// operator withdrew a shared pool, a pool changed owner) is never assigned: it loses its pool, and the reconciler
// places it again (enqueueReady chooses a pool the tenant may use, or fails the job saying why).
// A job retried after an infrastructure failure avoids the runners it failed on: such a runner's claim hands it
// back (to its place, uncharged) while another runner of the pool could take it, and tries the next job; the job
// goes back only once this claim is over, so one claim never pops it twice.
import { claimCandidate, poolAccess, transitions, type Database, type TenantContext } from "@gantry/db";
import type { Claim, FairScheduler } from "@gantry/scheduler";
import { anotherRunnerCanTake } from "./avoid-runners";
import { settleBounded } from "./settle-bounded";

/** A batch's jobs settled at once, at most (settle-bounded.ts says why). */
export const BATCH_LANES = 4;

export interface ClaimedJob {
  tenantId: string;
  jobId: string;
  runId: string;
  attemptId: string;
  attempt: number;
  leaseExpiresAt: Date;
  waitedMs: number;
  /** Whether the pool may receive this tenant's secrets, as read when the job was claimed (poolAccess). */
  receivesSecrets: boolean;
}

export interface ClaimJobInput {
  poolId: string;
  runnerId?: string;
  leaseMs: number;
  nowMs?: number;
  /** The new attempt's job token, hashed: written with the attempt itself (transitions.assignJob). */
  jobTokenHash?: string;
}

export async function claimJob(
  db: Database,
  scheduler: FairScheduler,
  input: ClaimJobInput,
): Promise<ClaimedJob | null> {
  const handedBack: Claim[] = [];
  try {
    for (let tries = 0; tries < 20; tries++) {
      const claim = await scheduler.claim(input.poolId, input.nowMs ?? Date.now());
      if (!claim) return null;
      const claimed = await settle(db, scheduler, input, claim, input.jobTokenHash, handedBack);
      if (claimed) return claimed;
    }
    return null;
  } finally {
    for (const claim of handedBack) await scheduler.putBack(input.poolId, claim);
  }
}

/**
 * Up to `tokenHashes.length` jobs for one runner in one pick from the fair queue (FairScheduler.claimMany: one
 * script), each then settled in Postgres as `claimJob` settles one, side by side. A job that turns out not to be
 * runnable is released, not replaced: the batch is what the queue offered, and the runner asks again for the rest.
 * Each claimed job gets the token hash at its index in the order claimed.
 */
export async function claimJobs(
  db: Database,
  scheduler: FairScheduler,
  input: Omit<ClaimJobInput, "jobTokenHash">,
  tokenHashes: readonly string[],
): Promise<{ claimed: ClaimedJob; tokenIndex: number }[]> {
  if (tokenHashes.length === 0) return [];
  const handedBack: Claim[] = [];
  try {
    const claims = await scheduler.claimMany(input.poolId, input.nowMs ?? Date.now(), tokenHashes.length);
    const settled = await settleBounded(claims, BATCH_LANES, (claim, index) => settle(db, scheduler, input, claim, tokenHashes[index], handedBack));
    // A job whose settling failed (Postgres unreachable) fails the claim, as a single claim's failure does, once the
    // others are settled: the attempts they made are never handed over, so their leases lapse and the reaper retries them.
    const failed = settled.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    return settled.flatMap((result, tokenIndex) => (result.status === "fulfilled" && result.value ? [{ claimed: result.value, tokenIndex }] : []));
  } finally {
    for (const claim of handedBack) await scheduler.putBack(input.poolId, claim);
  }
}

/** One picked job made an attempt with its lease in Postgres, or released (or handed back) with null. */
async function settle(
  db: Database,
  scheduler: FairScheduler,
  input: Omit<ClaimJobInput, "jobTokenHash">,
  claim: Claim,
  jobTokenHash: string | undefined,
  handedBack: Claim[],
): Promise<ClaimedJob | null> {
  const ctx: TenantContext = { tenantId: claim.tenantId, actor: { kind: "RUNNER", ...(input.runnerId ? { id: input.runnerId } : {}) } };
  // Both reads at once (one round trip's wait): the job is only looked at when the pool may serve its tenant.
  const [access, job] = await Promise.all([
    poolAccess(db, input.poolId, claim.tenantId),
    claimCandidate(db.sql("claim: the picked job and its run's status"), claim.tenantId, claim.jobId),
  ]);
  if (!access.usable) {
    await scheduler.release(input.poolId, claim.tenantId, claim.jobId);
    await db.forTenant(ctx).jobRun.updateMany({ where: { id: claim.jobId, status: "WAITING", poolId: input.poolId }, data: { poolId: null } });
    return null;
  }
  const runnable = job !== null && job.status === "WAITING" && !job.heldByConcurrency;
  if (runnable && input.runnerId && job.avoidRunnerIds.includes(input.runnerId) && (await anotherRunnerCanTake(db, input.poolId, job.avoidRunnerIds, input.nowMs))) {
    handedBack.push(claim);
    return null;
  }
  const sys = db.system("claim: record the attempt");
  const assignment =
    runnable
      ? await transitions.assignJob(sys, ctx, { jobId: claim.jobId, expectedAttempt: job.attempt, leaseMs: input.leaseMs, ...(input.runnerId ? { runnerId: input.runnerId } : {}), ...(jobTokenHash ? { jobTokenHash } : {}) })
      : null;
  if (!job || !assignment) {
    await scheduler.release(input.poolId, claim.tenantId, claim.jobId);
    return null;
  }
  // The run's first assignment moves it to RUNNING; every later one would be a statement that changes nothing.
  if (job.runStatus === "QUEUED" || job.runStatus === "WAITING") await transitions.markRunRunning(sys, ctx, job.runId, "first job assigned");
  return { tenantId: claim.tenantId, jobId: claim.jobId, runId: job.runId, attemptId: assignment.attemptId, attempt: assignment.attempt, leaseExpiresAt: assignment.leaseExpiresAt, waitedMs: claim.waitedMs, receivesSecrets: access.secrets };
}
