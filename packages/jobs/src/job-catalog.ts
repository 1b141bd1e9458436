// The typed job catalog (STYLE.md practice 4): per job name its queue, zod payload, lock duration,
// attempts, backoff, and what happens when retries run out. Workers re-validate every payload.
import { z } from "zod";

export interface JobDefinition<P extends z.ZodType> {
  queue: string;
  payload: P;
  lockDurationMs: number;
  attempts: number;
  backoffMs: number;
  /** What it means when the last attempt fails. */
  onExhausted: string;
}

export const jobCatalog = {
  intake: {
    queue: "gantry-intake",
    payload: z.object({ deliveryId: z.string().min(1) }),
    lockDurationMs: 60_000,
    attempts: 5,
    backoffMs: 2_000,
    onExhausted: "the delivery is settled FAILED with the last error, visible in the UI; the reconciler may start the run later",
  },
  "workflow-run-events": {
    // On the intake queue: it records deliveries and queues their intake. Named by run and status, so a burst of
    // requests for one state is one job (apps/worker orchestration/workflow-run-events.ts).
    queue: "gantry-intake",
    payload: z.object({ tenantId: z.string().min(1), runId: z.string().min(1) }),
    lockDurationMs: 30_000,
    attempts: 5,
    backoffMs: 1_000,
    onExhausted: "workflows `on: workflow_run` miss that state of the run; its next state records the states before it too",
  },
  "advance-run": {
    queue: "gantry-orchestration",
    // start: a new run's first advance (concurrency admission first), asked for by intake.
    payload: z.object({ tenantId: z.string().min(1), runId: z.string().min(1), start: z.boolean().optional() }),
    lockDurationMs: 30_000,
    attempts: 5,
    backoffMs: 1_000,
    onExhausted: "the periodic queue reconciliation still enqueues ready jobs; a run stuck before its conclusion is advanced on the next job event",
  },
  "job-timeout": {
    queue: "gantry-timers",
    payload: z.object({ tenantId: z.string().min(1), jobId: z.string().min(1), attempt: z.number().int().positive() }),
    lockDurationMs: 30_000,
    attempts: 5,
    backoffMs: 1_000,
    onExhausted: "the timer is rebuilt from Postgres when a worker starts, so the job still times out",
  },
  "job-retry": {
    queue: "gantry-timers",
    // A job back in line after an infrastructure failure of `attempt`: at its retryNotBefore it is enqueued again.
    payload: z.object({ tenantId: z.string().min(1), jobId: z.string().min(1), attempt: z.number().int().positive() }),
    lockDurationMs: 30_000,
    attempts: 5,
    backoffMs: 1_000,
    onExhausted: "the periodic queue reconciliation puts the job in its pool's queue once its retryNotBefore has passed",
  },
  "environment-gate": {
    queue: "gantry-timers",
    // A job held at its environment's gate: at dueAt (the wait timer's end, an approval's expiry) check it again.
    payload: z.object({ tenantId: z.string().min(1), runId: z.string().min(1), jobId: z.string().min(1) }),
    lockDurationMs: 30_000,
    attempts: 5,
    backoffMs: 1_000,
    onExhausted: "the periodic queue reconciliation advances runs whose jobs are held at a gate, so the gate is checked again there",
  },
  "reconcile-queues": {
    queue: "gantry-maintenance",
    payload: z.object({}),
    lockDurationMs: 60_000,
    attempts: 1,
    backoffMs: 0,
    onExhausted: "nothing: the next tick rebuilds again",
  },
  "sweep-deliveries": {
    queue: "gantry-maintenance",
    payload: z.object({ olderThanMs: z.number().int().min(0).default(30_000), limit: z.number().int().positive().default(500) }),
    lockDurationMs: 30_000,
    attempts: 1,
    backoffMs: 0,
    onExhausted: "nothing: the next tick runs it again",
  },
  "storage-retention": {
    // A queue of its own: a long sweep over a large store must not hold up the lease reaper.
    queue: "gantry-storage",
    payload: z.object({}),
    lockDurationMs: 600_000,
    attempts: 1,
    backoffMs: 0,
    onExhausted: "nothing: expired artifacts stay undownloadable and uncounted; the next tick deletes them",
  },
  "schedule-tick": {
    // Only schedule ticks live on this queue: every job scheduler on it must be backed by a WorkflowSchedule row.
    queue: "gantry-schedules",
    // The template data of a WorkflowSchedule's job scheduler; the tick time is the firing's own scheduled time.
    payload: z.object({ repositoryId: z.string().min(1), workflowPath: z.string().min(1), cron: z.string().min(1) }),
    lockDurationMs: 60_000,
    attempts: 5,
    backoffMs: 5_000,
    onExhausted: "that firing makes no run (the next firing is unaffected); the failure is logged",
  },
  "reconcile-git-refs": {
    // A queue of its own: a slow git fetch must not hold up the lease reaper on the maintenance queue.
    queue: "gantry-git-refs",
    payload: z.object({}),
    lockDurationMs: 120_000,
    attempts: 1,
    backoffMs: 0,
    onExhausted: "nothing: the next tick compares the refs again",
  },
  "report-check": {
    // A queue of its own with a rate limiter: GitHub's API budget, not our CPU, is what it waits on.
    queue: "gantry-github-checks",
    // The job is named, not its state: the processor reports whatever state the job is in when it runs.
    payload: z.object({ tenantId: z.string().min(1), jobRunId: z.string().min(1) }),
    lockDurationMs: 60_000,
    attempts: 8,
    backoffMs: 2_000,
    onExhausted: "the check run stays at its last reported state; the job's next transition reports it again",
  },
  "reconcile-github": {
    // A queue of its own: GitHub API calls for every repository must not hold up the lease reaper.
    queue: "gantry-github-reconcile",
    payload: z.object({}),
    lockDurationMs: 300_000,
    attempts: 1,
    backoffMs: 0,
    onExhausted: "nothing: the next tick looks again from the last successful one",
  },
  "revoke-github-token": {
    // The job's GITHUB_TOKEN, revoked once its attempt ends (DELETE /installation/token); the job id is the attempt's.
    queue: "gantry-github-tokens",
    payload: z.object({ tenantId: z.string().min(1), attemptId: z.string().min(1) }),
    lockDurationMs: 30_000,
    attempts: 6,
    backoffMs: 5_000,
    onExhausted: "the token stays sealed on the attempt and the reaper's sweep enqueues it again; GitHub expires it within the hour anyway",
  },
  "index-attempt-log": {
    // Log search: an ended attempt's archived log into LogLine (packages/db log-index.ts), off the logs hot path, on
    // a queue of its own so a big log does not hold up the reaper. One job id per attempt; a repeat inserts nothing.
    queue: "gantry-log-index",
    payload: z.object({ tenantId: z.string().min(1), attemptId: z.string().min(1) }),
    lockDurationMs: 300_000,
    attempts: 5,
    backoffMs: 5_000,
    onExhausted: "the attempt stays unindexed (its lines are not found by log search) until the index-logs-catch-up tick enqueues it again",
  },
  "index-logs-catch-up": {
    // Ended attempts with a log and no index yet (lost, timed out, cancelled, or a missed job): enqueued again.
    queue: "gantry-log-index",
    payload: z.object({ limit: z.number().int().positive().max(10_000).default(500) }),
    lockDurationMs: 60_000,
    attempts: 1,
    backoffMs: 0,
    onExhausted: "nothing: the next tick looks again",
  },
  "reap-leases": {
    queue: "gantry-maintenance",
    payload: z.object({ limit: z.number().int().positive().max(10_000).default(500) }),
    lockDurationMs: 30_000,
    attempts: 1,
    backoffMs: 0,
    onExhausted: "nothing: the next tick of the repeating scheduler runs it again",
  },
} satisfies Record<string, JobDefinition<z.ZodType>>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]["payload"]>;

export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  // zod infers a union across the catalog here; the name selects exactly one member of it.
  return jobCatalog[name].payload.parse(data) as JobPayload<N>;
}
