import { describeWait, readPlan, whyWaiting, type StoredJob, type WaitReason } from "@gantry/engine";
import { intake, isAwaitingApproval, runAttemptHistory, type FailureKind } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { hasRole } from "../../roles";
import type { TenantProcedureContext } from "../../trpc";
import type { GetRunInput } from "./get.schema";
import { inDeclaredOrder } from "./input-order";
import { RERUN_ROLE } from "./rerun.schema";
import { runOrigin } from "./run-origin";

// The plan names which jobs call a reusable workflow (they run nothing themselves).

/** Plan order, with each call's jobs right after the job that calls them (nested calls likewise). */
function displayOrder(planned: { key: string; calledBy?: string | undefined }[]): Map<string, number> {
  const called = new Map<string, string[]>();
  for (const job of planned) if (job.calledBy !== undefined) called.set(job.calledBy, [...(called.get(job.calledBy) ?? []), job.key]);
  const order = new Map<string, number>();
  const place = (key: string) => {
    if (order.has(key)) return;
    order.set(key, order.size);
    for (const child of called.get(key) ?? []) place(child);
  };
  for (const job of planned) if (job.calledBy === undefined) place(job.key);
  return order;
}

/** A planned matrix cell's group and values (as `cellKey` prints them); null for a job that is no matrix cell. */
function matrixCellOf(job: StoredJob | undefined): { of: string; values: Record<string, string> } | null {
  if (!job?.matrix || Object.keys(job.matrix).length === 0) return null;
  // A called workflow's cells are keyed under their caller (`call / fan (1)`), and so is their group.
  const prefix = job.calledBy === undefined ? "" : `${job.calledBy} / `;
  const values = Object.fromEntries(Object.entries(job.matrix).map(([name, value]) => [name, typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)]));
  return { of: prefix + (job.jobId ?? job.key), values };
}

const CAUSES = { USER: "user", INFRASTRUCTURE: "infrastructure", CANCELLED: "cancelled", TIMEOUT: "timeout" } as const satisfies Record<FailureKind, string>;
const causeOf = (kind: FailureKind | null) => (kind === null ? null : CAUSES[kind]);

const storedOutputs = z.record(z.string(), z.string()).catch({});
const storedInputs = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).catch({});

/** One run with its jobs (in plan order), its workflow's validation warnings and, for an invalid workflow, its errors. */
export async function getRunHandler({ ctx, input }: { ctx: TenantProcedureContext; input: GetRunInput }) {
  const run = await ctx.db.workflowRun.findUnique({
    where: { id: input.runId },
    include: {
      repository: { select: { fullName: true } },
      jobs: {
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          key: true,
          name: true,
          status: true,
          attempt: true,
          runAttempt: true,
          needs: true,
          failureKind: true,
          failureReason: true,
          startedAt: true,
          finishedAt: true,
          createdAt: true,
          attempts: {
            orderBy: { number: "asc" },
            select: { number: true, runAttempt: true, status: true, failureKind: true, failureReason: true, outputs: true, createdAt: true, startedAt: true, finishedAt: true, runner: { select: { name: true } } },
          },
        },
      },
    },
  });
  if (!run) throw new TRPCError({ code: "NOT_FOUND", message: `Run ${input.runId} does not exist in ${ctx.tenant.slug}.` });
  const approver = run.approvedById
    ? await ctx.database.system("runs.get: the name of the member who approved a held run").user.findUnique({ where: { id: run.approvedById }, select: { name: true, email: true } })
    : null;
  const keyOf = new Map(run.jobs.map((job) => [job.id, job.key]));
  const [history, origin] = await Promise.all([runAttemptHistory(ctx.db, run.id), runOrigin(ctx.database, ctx.tenant.id, run.deliveryId)]);
  const latestAttempt = history.at(-1);
  const planned = readPlan(run.plan)?.jobs ?? [];
  const callOf = new Map(planned.flatMap((job) => (job.uses ? [[job.key, job.uses] as const] : [])));
  const plannedOf = new Map(planned.map((job) => [job.key, job]));
  // Rows made in one statement share a createdAt: the plan's order is the one, a call's jobs under their caller.
  const placeOf = displayOrder(planned);
  // Why each QUEUED or WAITING job has not started, from the engine's state (read only when some job waits).
  const waiting: Map<string, WaitReason> =
    ctx.scheduler && run.jobs.some((job) => job.status === "QUEUED" || job.status === "WAITING")
      ? await whyWaiting({ db: ctx.database, scheduler: ctx.scheduler, clock: { now: () => ctx.now().getTime() } }, { tenantId: ctx.tenant.id, actor: { kind: "USER", id: ctx.session.userId } }, run.id)
      : new Map();
  const jobs = [...run.jobs].sort((a, b) => (placeOf.get(a.key) ?? Infinity) - (placeOf.get(b.key) ?? Infinity) || a.createdAt.getTime() - b.createdAt.getTime());
  const positionOf = new Map(jobs.map((job, index) => [job.key, index]));
  return {
    id: run.id,
    runNumber: run.runNumber,
    workflowName: run.workflowName,
    workflowPath: run.workflowPath,
    repository: run.repository.fullName,
    event: run.event,
    ref: run.ref,
    sha: run.sha,
    status: run.status,
    /** `github.run_attempt`: 1, raised by each re-run (runs.rerun); the run keeps its number. */
    runAttempt: run.runAttempt,
    /** Whether the caller's role may re-run (runs.rerun checks the same role): the page offers the buttons only then. */
    canRerun: hasRole(ctx.role, RERUN_ROLE),
    trusted: run.trusted,
    triggeredBy: run.triggeredBy,
    /**
     * A fork's pull request run the tenant's policy held for a maintainer (docs/github.md): why, whether it still waits,
     * who approved it and when, and whether the caller may decide (maintainer and above: runs.approveFork /
     * runs.rejectFork). null: it was never held.
     */
    approval:
      run.approvalRequired === null
        ? null
        : {
            required: run.approvalRequired,
            awaiting: isAwaitingApproval(run),
            approvedBy: run.approvedById === null ? null : (approver?.name ?? approver?.email ?? run.approvedById),
            approvedAt: run.approvedAt?.toISOString() ?? null,
            canDecide: hasRole(ctx.role, "MAINTAINER"),
          },
    /** workflow_dispatch: the typed inputs the run was started with, in the order the workflow declares them. */
    inputs: inDeclaredOrder(storedInputs.parse(run.inputs ?? {}), run.plan),
    createdAt: run.createdAt.toISOString(),
    /** When the current run attempt was put in line: the run's creation, or its latest re-run (queue time counts from here). */
    queuedAt: (latestAttempt?.queuedAt ?? run.createdAt).toISOString(),
    /** When the current attempt's first job was given a runner; null until then. */
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    /** Who caused the event, the commit's message and the repository's web page, from the delivery (run-origin.ts). */
    origin,
    /**
     * Each run attempt, oldest first (the last is the current one): when it was put in line, how it ended, and each
     * job (plan order) as that attempt left it — `rerun` false for a job kept from an earlier attempt. From the state
     * machine's history (@gantry/db runAttemptHistory); a job's attempts in it are `jobs[].attempts` with that runAttempt.
     */
    runAttempts: history.map((attempt) => ({
      number: attempt.number,
      queuedAt: (attempt.queuedAt ?? run.createdAt).toISOString(),
      conclusion: attempt.conclusion,
      finishedAt: attempt.finishedAt?.toISOString() ?? null,
      jobs: attempt.jobs
        .flatMap((job) => {
          const key = keyOf.get(job.jobId);
          return key === undefined ? [] : [{ key, status: job.status, rerun: job.rerun }];
        })
        .sort((a, b) => (positionOf.get(a.key) ?? 0) - (positionOf.get(b.key) ?? 0)),
    })),
    /** Why an invalid workflow was refused: `{file, line, col, code, message, severity}` each. */
    errors: intake.readDiagnostics(run.errors),
    /** The warnings of the workflow and the workflows it calls (script injection, …), each naming its file. */
    warnings: intake.readDiagnostics(run.warnings),
    jobs: jobs.map((job) => ({
      key: job.key,
      name: job.name,
      status: job.status,
      attempt: job.attempt,
      /** The run attempt the job's state belongs to (an earlier one when a re-run left the job alone). */
      runAttempt: job.runAttempt,
      needs: job.needs.map((id) => keyOf.get(id) ?? id),
      /** Why it ended unsuccessfully: user, infrastructure, cancelled or timeout (FailureKind, lower-cased). */
      failureCause: causeOf(job.failureKind),
      failureReason: job.failureReason,
      /**
       * Every attempt of the job, oldest first, earlier run attempts' too (their logs: runs.logs with `attempt`): its
       * run attempt, the runner, how it ended and why (user, infrastructure, cancelled, timeout: an infrastructure
       * failure's retries show here, docs/scheduling.md), its outputs, its times.
       */
      attempts: job.attempts.map((attempt) => ({
        number: attempt.number,
        runAttempt: attempt.runAttempt,
        status: attempt.status,
        runner: attempt.runner?.name ?? null,
        failureCause: causeOf(attempt.failureKind),
        failureReason: attempt.failureReason,
        outputs: storedOutputs.parse(attempt.outputs ?? {}),
        createdAt: attempt.createdAt.toISOString(),
        startedAt: attempt.startedAt?.toISOString() ?? null,
        finishedAt: attempt.finishedAt?.toISOString() ?? null,
      })),
      /** A QUEUED or WAITING job: why it has not started (the reason's facts, and the sentence the pages show). */
      waiting: waiting.has(job.id) ? { reason: waiting.get(job.id) as WaitReason, text: describeWait(waiting.get(job.id) as WaitReason) } : null,
      /** The reusable workflow this job calls; its jobs are the run's jobs keyed `<this key> / …`. */
      calls: callOf.get(job.key) ?? null,
      /** The job whose reusable-workflow call added this one (its key), or null for the workflow's own jobs. */
      calledBy: plannedOf.get(job.key)?.calledBy ?? null,
      /** A matrix cell: the key of its matrix job (the cells' group: `test`, `call / fan`) and the cell's values. */
      matrix: matrixCellOf(plannedOf.get(job.key)),
      startedAt: job.startedAt?.toISOString() ?? null,
      finishedAt: job.finishedAt?.toISOString() ?? null,
    })),
  };
}
