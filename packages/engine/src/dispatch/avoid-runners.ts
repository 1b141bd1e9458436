// "On another runner when the pool has one": whether a runner of the pool other than those a job avoids could take
// it now — registered ONLINE, seen within the online window (runners claim and ping every few seconds), and with a
// free slot (fewer live attempts than its capacity). When none can, an avoided runner may take the job after all:
// a pool of one still retries.
import type { Database } from "@gantry/db";

/** A runner seen longer ago than this is not counted on (the pages use the same window). */
export const RUNNER_ONLINE_WINDOW_MS = 30_000;

export async function anotherRunnerCanTake(db: Database, poolId: string, avoid: readonly string[], nowMs: number = Date.now()): Promise<boolean> {
  const seenSince = new Date(nowMs - RUNNER_ONLINE_WINDOW_MS);
  const rows = await db.system("claim: is another runner of the pool free").$queryRaw<{ id: string }[]>`
    SELECT r."id" FROM "Runner" r
    WHERE r."poolId" = ${poolId} AND r."status" = 'ONLINE' AND r."lastSeenAt" >= ${seenSince}::timestamp(3)
      AND NOT (r."id" = ANY(${[...avoid]}::text[]))
      AND r."capacity" > (
        SELECT count(*) FROM "JobAttempt" a
        WHERE a."runnerId" = r."id" AND a."status" IN ('ASSIGNED', 'RUNNING') AND a."leaseExpiresAt" > now()
      )
    LIMIT 1`;
  return rows.length > 0;
}
