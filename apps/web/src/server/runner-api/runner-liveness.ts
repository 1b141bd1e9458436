// Whether a runner is live: it claimed or pinged within the online window, or it holds an attempt whose lease has
// not lapsed (a runner busy with a long job claims nothing meanwhile). A live runner's name is its own: nobody
// registers under it without its credential (register.ts).
import type { RawPrismaClient } from "@gantry/db";
import { isRunnerOnline } from "../runners";

export async function runnerIsLive(sys: RawPrismaClient, runner: { id: string; lastSeenAt: Date }, now: Date): Promise<boolean> {
  if (isRunnerOnline(runner.lastSeenAt, now)) return true;
  const leased = await sys.jobAttempt.findFirst({ where: { runnerId: runner.id, status: { in: ["ASSIGNED", "RUNNING"] }, leaseExpiresAt: { gt: now } }, select: { id: true } });
  return leased !== null;
}
