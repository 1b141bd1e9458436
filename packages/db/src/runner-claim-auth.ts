// A runner's claim begins here: the runner is authenticated by its credential, marked seen (ONLINE, lastSeenAt;
// a DRAINING runner stays DRAINING, and its claim gets no new job: docs/scheduling.md "Draining a runner"),
// and its pool's limits are read as they are now — one statement, as a claim is on the path from a ready job to its
// runner (bench first-log). The credential is compared as its sha256 in SQL, as the job token is (job-token-auth.ts):
// the stored value is the hash of a 256-bit random token, so timing the comparison tells nothing that helps forge one.
// "Seen" is written only when it is stale (SEEN_REFRESH_MS) or the runner was marked offline: a runner with 64 slots
// long-polls 64 claims at once, and a write on every one made its row the platform's hottest lock (bench fanout:
// claims queued on the row's lock and on a WAL flush each). Online means seen within 30 s, so 5 s of staleness is free.
import type { Database } from "./database";
import type { PoolLimitRow } from "./pool-limits";
import { hashToken } from "./tokens";

export const SEEN_REFRESH_MS = 5_000;

export interface ClaimingRunner {
  id: string;
  poolId: string;
  /** An admin drained it: it finishes what it runs, and is given nothing new. */
  draining: boolean;
  /** The pool's limit columns (poolLimitsOf validates them). */
  limits: PoolLimitRow;
}

/** null: no such runner, or the credential is not its own (nothing is written then). */
export async function authenticateClaimingRunner(db: Database, runnerId: string, credential: string, seenAt: Date): Promise<ClaimingRunner | null> {
  const staleBefore = new Date(seenAt.getTime() - SEEN_REFRESH_MS);
  // A data-modifying WITH runs once whether or not the outer query reads it (PostgreSQL docs, "WITH queries").
  const rows = await db.system("runner claim: authenticate the runner, mark it seen when stale, read its pool's limits").$queryRaw<({ id: string; poolId: string; draining: boolean } & PoolLimitRow)[]>`
    WITH found AS (
      SELECT r."id", r."poolId", r."status", r."lastSeenAt", p."cpus", p."memoryBytes", p."pids", p."diskBytes", p."fileSizeBytes", p."maxTimeoutMinutes"
      FROM "Runner" r JOIN "RunnerPool" p ON p."id" = r."poolId"
      WHERE r."id" = ${runnerId} AND r."credentialHash" = ${hashToken(credential)}
    ), seen AS (
      UPDATE "Runner" r SET "lastSeenAt" = ${seenAt}::timestamp(3),
        "status" = CASE WHEN r."status" = 'DRAINING' THEN 'DRAINING'::"RunnerStatus" ELSE 'ONLINE'::"RunnerStatus" END
      FROM found f
      WHERE r."id" = f."id" AND (f."status" = 'OFFLINE' OR f."lastSeenAt" < ${staleBefore}::timestamp(3))
    )
    SELECT f."id", f."poolId", f."status" = 'DRAINING' AS "draining",
           f."cpus", f."memoryBytes", f."pids", f."diskBytes", f."fileSizeBytes", f."maxTimeoutMinutes"
    FROM found f`;
  const row = rows[0];
  if (!row) return null;
  const { id, poolId, draining, ...limits } = row;
  return { id, poolId, draining, limits };
}
