// The server's answers the CLI reads, as zod schemas: only the fields it uses (unknown ones are dropped), so a server
// that adds fields keeps working and one that changes a used field fails with a clear message (api.ts).
import { z } from "zod";

export const RUN_STATUSES = ["QUEUED", "WAITING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"] as const;
export const runStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof runStatus>;
export const TERMINAL: ReadonlySet<RunStatus> = new Set(["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"]);

export const tenantsAnswer = z.array(z.object({ slug: z.string(), name: z.string(), role: z.string() }));

export const runSummary = z.object({
  id: z.string(),
  runNumber: z.number(),
  workflowName: z.string(),
  workflowPath: z.string(),
  repository: z.string(),
  event: z.string(),
  ref: z.string(),
  sha: z.string(),
  status: runStatus,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummary>;
/** runs.list: a page of runs and the cursor of the next (older) page. */
export const runsListAnswer = z.object({ runs: z.array(runSummary.extend({ triggeredBy: z.string().nullable() })), nextCursor: z.string().nullable() });

export const runJob = z.object({
  key: z.string(),
  name: z.string().nullish(),
  status: runStatus,
  attempt: z.number(),
  needs: z.array(z.string()),
  failureCause: z.string().nullable(),
  failureReason: z.string().nullable(),
  /** A QUEUED or WAITING job: why it has not started (`text` is the sentence; `reason` its facts, kept as sent). */
  waiting: z.object({ text: z.string(), reason: z.looseObject({ kind: z.string() }) }).nullish(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type RunJob = z.infer<typeof runJob>;
export const runAnswer = runSummary.extend({
  runAttempt: z.number(),
  errors: z.array(z.object({ file: z.string(), line: z.number(), col: z.number(), message: z.string(), code: z.string() })).default([]),
  jobs: z.array(runJob),
});
export type RunDetail = z.infer<typeof runAnswer>;

export const logsAnswer = z.object({
  job: z.object({ status: runStatus, attempt: z.number() }),
  attempt: z.number(),
  text: z.string(),
  chunks: z.array(z.object({ seq: z.number() })),
  nextSeq: z.number(),
});
export type LogsAnswer = z.infer<typeof logsAnswer>;

export const intakePendingAnswer = z.object({ pending: z.boolean() });

export const repositoriesAnswer = z.object({ repositories: z.array(z.object({ id: z.string(), fullName: z.string(), defaultBranch: z.string(), archived: z.boolean() })) });

export const dispatchAnswer = z.object({ runId: z.string(), duplicate: z.boolean(), ref: z.string(), sha: z.string() });
export const cancelAnswer = z.object({ runId: z.string(), canceledJobs: z.number() });
export const rerunAnswer = z.object({ runId: z.string(), rerun: z.boolean(), runAttempt: z.number(), jobs: z.number() });

export const secretsListAnswer = z.array(z.object({ name: z.string(), updatedAt: z.string() }));
export const secretSetAnswer = z.object({ name: z.string(), created: z.boolean() });
export const secretDeleteAnswer = z.object({ name: z.string() });

export const poolsAnswer = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    shared: z.boolean(),
    labels: z.array(z.string()),
    provider: z.string(),
    egress: z.string(),
    onlineCount: z.number(),
    runners: z.array(z.object({ name: z.string(), status: z.string(), online: z.boolean(), version: z.string().nullish(), lastSeenAt: z.string() })),
  }),
);
/** runners.createPool (the pools page's procedure): the new pool and its registration token, this once. */
export const createPoolAnswer = z.object({ pool: z.object({ id: z.string(), name: z.string() }), registrationToken: z.string() });

/** POST /api/cli/token. */
export const exchangeAnswer = z.object({ id: z.string(), name: z.string(), scopes: z.array(z.string()), expiresAt: z.string().nullable(), token: z.string() });
