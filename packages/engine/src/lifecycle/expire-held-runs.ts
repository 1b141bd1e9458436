// A fork's run held for approval that nobody decides on would wait for ever (and keep its GitHub checks at "action
// required"). As GitHub does with runs awaiting approval for more than 30 days, the queue reconciliation cancels
// them, with the reason; the run and its history stay, like every ended run's.
import type { Database } from "@gantry/db";
import { cancelHeld } from "../run/fork-approval";
import type { RunHooks } from "../run/hooks";
import { systemClock } from "../clock";

export const HELD_RUN_EXPIRY_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Cancels runs held for approval longer than HELD_RUN_EXPIRY_DAYS; returns how many. */
export async function expireHeldRuns(db: Database, hooks: RunHooks = {}, limit = 1000): Promise<number> {
  const before = new Date((hooks.clock ?? systemClock).now() - HELD_RUN_EXPIRY_DAYS * DAY_MS);
  const stale = await db.system("expire runs held for approval too long").workflowRun.findMany({
    where: { status: "WAITING", approvalRequired: { not: null }, approvedAt: null, createdAt: { lt: before } },
    select: { id: true, tenantId: true },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
  let expired = 0;
  for (const run of stale) {
    const ctx = { tenantId: run.tenantId, actor: { kind: "SYSTEM" as const, id: "approval-expiry" } };
    // An approval that came first wins: the cancel is conditional on the run still being held.
    if (await cancelHeld(db, ctx, run.id, `not approved within ${HELD_RUN_EXPIRY_DAYS} days`, hooks)) expired += 1;
  }
  return expired;
}
