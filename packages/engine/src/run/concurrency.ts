// Concurrency groups (`concurrency:` on a workflow or a job): at most one member of a group runs at a time.
// `cancel-in-progress: true` cancels the members already there; otherwise the newcomer waits. With GitHub's
// policy (REPLACE_PENDING) a newer waiting member replaces an older waiting one; with QUEUE they all wait in
// order. Every decision for a group is taken under a transaction-scoped advisory lock on (tenant, group).
import { transitions, type Prisma, type RawPrismaClient, type TenantContext } from "@gantry/db";
import { evaluateExpression } from "@gantry/workflow-schema";
import { isTruthy } from "./job-condition";

type Tx = Prisma.TransactionClient;

export interface ConcurrencySpec {
  group: string;
  cancelInProgress: boolean | string;
}

/** Evaluates a group name and its cancel-in-progress flag; null when the group evaluates empty or fails. */
export function evaluateConcurrency(spec: ConcurrencySpec | undefined, contexts: Record<string, unknown>): { group: string; cancelInProgress: boolean } | null {
  if (!spec) return null;
  // A group written without `${{ }}` is its own name (`concurrency: production`), not an expression to evaluate.
  const group = spec.group.includes("${{") ? evaluateExpression(spec.group, contexts) : { ok: true as const, value: spec.group };
  if (!group.ok || group.value === null || String(group.value).trim() === "") return null;
  const flag = typeof spec.cancelInProgress === "boolean" ? null : evaluateExpression(spec.cancelInProgress, contexts);
  const cancelInProgress = flag === null ? spec.cancelInProgress === true : flag.ok && isTruthy(flag.value);
  return { group: String(group.value), cancelInProgress };
}

async function lockGroup(tx: Tx, ctx: TenantContext, group: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`concurrency:${ctx.tenantId}:${group}`}))`;
}

async function policyOf(tx: Tx, ctx: TenantContext) {
  const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId }, select: { concurrencyPolicy: true } });
  return tenant.concurrencyPolicy;
}

// ---------------- runs ----------------

/**
 * Decides whether a new run may start now. Runs that occupy a group are QUEUED or RUNNING; held runs are WAITING.
 * Returns the runs to cancel (the caller cancels them, outside this transaction) and whether this run is admitted.
 */
export async function admitRun(
  sys: RawPrismaClient,
  ctx: TenantContext,
  runId: string,
  concurrency: { group: string; cancelInProgress: boolean },
): Promise<{ admitted: boolean; cancel: string[] }> {
  return sys.$transaction(async (tx) => {
    await lockGroup(tx, ctx, concurrency.group);
    await tx.workflowRun.updateMany({
      where: { id: runId, tenantId: ctx.tenantId },
      data: { concurrencyGroup: concurrency.group, concurrencyCancelInProgress: concurrency.cancelInProgress },
    });
    const others = await tx.workflowRun.findMany({
      where: { tenantId: ctx.tenantId, concurrencyGroup: concurrency.group, id: { not: runId }, status: { in: ["QUEUED", "WAITING", "RUNNING"] } },
      select: { id: true, status: true },
      orderBy: { createdAt: "asc" },
    });
    if (concurrency.cancelInProgress) return { admitted: true, cancel: others.map((run) => run.id) };
    const occupied = others.some((run) => run.status !== "WAITING");
    const waiting = others.filter((run) => run.status === "WAITING").map((run) => run.id);
    const replace = (await policyOf(tx, ctx)) === "REPLACE_PENDING";
    if (!occupied) return { admitted: true, cancel: replace ? waiting : [] };
    await transitions.markRunWaiting(tx, ctx, runId, `waiting for concurrency group ${concurrency.group}`);
    return { admitted: false, cancel: replace ? waiting : [] };
  });
}

/** After a run ends: admits the oldest waiting run of its group when nothing occupies the group. */
export async function releaseRunGroup(sys: RawPrismaClient, ctx: TenantContext, group: string): Promise<string | null> {
  return sys.$transaction(async (tx) => {
    await lockGroup(tx, ctx, group);
    const members = await tx.workflowRun.findMany({
      where: { tenantId: ctx.tenantId, concurrencyGroup: group, status: { in: ["QUEUED", "WAITING", "RUNNING"] } },
      select: { id: true, status: true },
      orderBy: { createdAt: "asc" },
    });
    if (members.some((run) => run.status !== "WAITING")) return null;
    const next = members[0];
    if (!next) return null;
    const moved = await transitions.markRunRunning(tx, ctx, next.id, `admitted to concurrency group ${group}`);
    return moved.changed ? next.id : null;
  });
}

// ---------------- jobs ----------------

/**
 * A job whose `if` passed and that names a group: WAITING and schedulable when the group is free, else WAITING
 * and held. Jobs occupying a group are RUNNING, or WAITING and not held.
 */
export async function admitJob(
  sys: RawPrismaClient,
  ctx: TenantContext,
  jobId: string,
  concurrency: { group: string; cancelInProgress: boolean },
): Promise<{ admitted: boolean; changed: boolean; cancel: string[] }> {
  return sys.$transaction((tx) => admitJobIn(tx, ctx, jobId, concurrency));
}

/** `admitJob` inside a transaction the caller holds (a matrix cell's max-parallel admission takes its lock first). */
export async function admitJobIn(
  tx: Tx,
  ctx: TenantContext,
  jobId: string,
  concurrency: { group: string; cancelInProgress: boolean },
  reason = "needs met",
): Promise<{ admitted: boolean; changed: boolean; cancel: string[] }> {
  await lockGroup(tx, ctx, concurrency.group);
  const others = await tx.jobRun.findMany({
    where: { tenantId: ctx.tenantId, concurrencyGroup: concurrency.group, id: { not: jobId }, status: { in: ["WAITING", "RUNNING"] } },
    select: { id: true, status: true, heldByConcurrency: true },
    orderBy: { createdAt: "asc" },
  });
  const occupied = !concurrency.cancelInProgress && others.some((job) => !job.heldByConcurrency);
  const moved = await transitions.markJobWaiting(tx, ctx, jobId, occupied ? `held by concurrency group ${concurrency.group}` : reason);
  if (!moved.changed) return { admitted: false, changed: false, cancel: [] };
  await tx.jobRun.updateMany({
    where: { id: jobId, tenantId: ctx.tenantId },
    data: { concurrencyGroup: concurrency.group, concurrencyCancelInProgress: concurrency.cancelInProgress, heldByConcurrency: occupied },
  });
  const held = others.filter((job) => job.heldByConcurrency).map((job) => job.id);
  const replace = (await policyOf(tx, ctx)) === "REPLACE_PENDING";
  const cancel = concurrency.cancelInProgress ? others.map((job) => job.id) : replace ? held : [];
  return { admitted: !occupied, changed: true, cancel };
}

/** After a job ends: frees the oldest held job of its group when nothing occupies it; returns its id. */
export async function releaseJobGroup(sys: RawPrismaClient, ctx: TenantContext, group: string): Promise<string | null> {
  return sys.$transaction(async (tx) => {
    await lockGroup(tx, ctx, group);
    const members = await tx.jobRun.findMany({
      where: { tenantId: ctx.tenantId, concurrencyGroup: group, status: { in: ["WAITING", "RUNNING"] } },
      select: { id: true, heldByConcurrency: true },
      orderBy: { createdAt: "asc" },
    });
    if (members.some((job) => !job.heldByConcurrency)) return null;
    const next = members[0];
    if (!next) return null;
    const { count } = await tx.jobRun.updateMany({ where: { id: next.id, tenantId: ctx.tenantId, status: "WAITING", heldByConcurrency: true }, data: { heldByConcurrency: false, readyAt: new Date() } });
    return count === 1 ? next.id : null;
  });
}
