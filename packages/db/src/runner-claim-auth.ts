// A runner's claim begins here: the runner is authenticated by its credential, marked seen (ONLINE, lastSeenAt;
// a DRAINING runner stays DRAINING, and its claim gets no new job: docs/scheduling.md "Draining a runner"),
// and its pool's limits are read as they are now — one statement, as a claim is on the path from a ready job to its
// runner (bench first-log). The credential is compared as its sha256 in SQL, as the job token is (job-token-auth.ts):
// the stored value is the hash of a 256-bit random token, so timing the comparison tells nothing that helps forge one.
import type { Database } from "./database";
import type { PoolLimitRow } from "./pool-limits";
import { hashToken } from "./tokens";

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
  const rows = await db.system("runner claim: authenticate the runner, mark it seen, read its pool's limits").$queryRaw<({ id: string; poolId: string; draining: boolean } & PoolLimitRow)[]>`
    UPDATE "Runner" r SET "lastSeenAt" = ${seenAt}::timestamp(3),
      "status" = CASE WHEN r."status" = 'DRAINING' THEN 'DRAINING'::"RunnerStatus" ELSE 'ONLINE'::"RunnerStatus" END
    FROM "RunnerPool" p
    WHERE r."id" = ${runnerId} AND r."credentialHash" = ${hashToken(credential)} AND p."id" = r."poolId"
    RETURNING r."id", r."poolId", r."status" = 'DRAINING' AS "draining", p."cpus", p."memoryBytes", p."pids", p."diskBytes", p."fileSizeBytes", p."maxTimeoutMinutes"`;
  const row = rows[0];
  if (!row) return null;
  const { id, poolId, draining, ...limits } = row;
  return { id, poolId, draining, limits };
}
