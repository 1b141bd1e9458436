// The report-check job: brings one job's GitHub check run up to the job's state at the time it runs, so the
// order in which reports are processed does not matter and a repeat changes nothing (the reporter only moves a
// check forward). GitHub's limits: a BullMQ limiter caps the rate across every worker; a rate-limited answer
// (403/429 with Retry-After or a spent x-ratelimit-remaining) pauses the whole queue until GitHub's reset,
// without spending an attempt; a 5xx fails the attempt and BullMQ retries with exponential backoff. Reports for
// one job never overlap, across worker replicas too: each holds a short Redis lock on the job run, and a report
// that finds it taken waits its turn (delayed, no attempt spent).
import { DelayedError, Worker, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { Database } from "@gantry/db";
import { GithubApiError } from "@gantry/github";
import { jobCatalog, parsePayload } from "@gantry/jobs";
import { reportJobCheck, type ReportJobCheckOptions } from "../intake/github/report-checks";
import type { GithubIntake } from "../intake/github/types";

export interface ReportCheckDeps {
  db: Database;
  /** The GitHub App's client now; null: no App, nothing to report. */
  github: () => GithubIntake | null;
  connection: ConnectionOptions;
  /** For the per-job report locks. */
  redis: Pick<Redis, "set" | "eval">;
  prefix: string;
  /** Reports per second at most, across every worker on the queue. */
  perSecond: number;
  /** Where browsers reach Gantry (GANTRY_PUBLIC_URL): each check links to its run page. */
  publicUrl?: string;
  /** The engine's whyWaiting: a queued job's check says why it has not started. */
  whyWaiting?: ReportJobCheckOptions["whyWaiting"];
}

// Deletes the lock only if it is still ours (it may have expired and been taken by another report).
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
/** How long a report waits before looking at a taken lock again. */
const LOCK_RETRY_MS = 250;

export const checkReportLockKey = (prefix: string, jobRunId: string) => `${prefix}:check-report-lock:${jobRunId}`;

export function startReportCheckWorker(deps: ReportCheckDeps): Worker {
  const definition = jobCatalog["report-check"];
  const worker: Worker = new Worker(
    definition.queue,
    async (job, token) => {
      const { tenantId, jobRunId } = parsePayload("report-check", job.data);
      const github = deps.github();
      if (!github) return { reported: false, reason: "no GitHub App is configured" };
      const ctx = { tenantId, actor: { kind: "SYSTEM" as const, id: "report-check" } };
      const lock = checkReportLockKey(deps.prefix, jobRunId);
      const owner = `${job.id ?? "?"}:${token ?? "?"}`;
      if ((await deps.redis.set(lock, owner, "PX", definition.lockDurationMs, "NX")) !== "OK") {
        // Another report for this job is under way: this one reads the job's state after it.
        await job.moveToDelayed(Date.now() + LOCK_RETRY_MS, token);
        throw new DelayedError();
      }
      try {
        return { reported: await reportJobCheck(deps.db, github, ctx, jobRunId, { retry: { attempts: 1 }, ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}), ...(deps.whyWaiting ? { whyWaiting: deps.whyWaiting } : {}) }) };
      } catch (error) {
        if (error instanceof GithubApiError && error.retryable && error.retryAfterMs !== undefined) {
          // GitHub said how long to wait: every report waits (they share the installation's budget).
          await worker.rateLimit(Math.max(1_000, error.retryAfterMs));
          throw Worker.RateLimitError();
        }
        throw error;
      } finally {
        await deps.redis.eval(RELEASE, 1, lock, owner);
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      lockDuration: definition.lockDurationMs,
      concurrency: 4,
      limiter: { max: deps.perSecond, duration: 1_000 },
    },
  );
  return worker;
}
