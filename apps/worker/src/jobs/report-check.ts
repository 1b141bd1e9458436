// The report-check job: brings one job's GitHub check run up to the job's state at the time it runs, so the
// order in which reports are processed does not matter and a repeat changes nothing (the reporter only moves a
// check forward). GitHub's limits: a BullMQ limiter caps the rate across every worker; a rate-limited answer
// (403/429 with Retry-After or a spent x-ratelimit-remaining) pauses the whole queue until GitHub's reset,
// without spending an attempt; a 5xx fails the attempt and BullMQ retries with exponential backoff.
import { Worker, type ConnectionOptions } from "bullmq";
import type { Database } from "@gantry/db";
import { GithubApiError } from "@gantry/github";
import { jobCatalog, parsePayload } from "@gantry/jobs";
import { reportJobCheck } from "../intake/github/report-checks";
import type { GithubIntake } from "../intake/github/types";

export interface ReportCheckDeps {
  db: Database;
  /** The GitHub App's client now; null: no App, nothing to report. */
  github: () => GithubIntake | null;
  connection: ConnectionOptions;
  prefix: string;
  /** Reports per second at most, across every worker on the queue. */
  perSecond: number;
}

export function startReportCheckWorker(deps: ReportCheckDeps): Worker {
  const definition = jobCatalog["report-check"];
  const worker: Worker = new Worker(
    definition.queue,
    async (job) => {
      const { tenantId, jobRunId } = parsePayload("report-check", job.data);
      const github = deps.github();
      if (!github) return { reported: false, reason: "no GitHub App is configured" };
      const ctx = { tenantId, actor: { kind: "SYSTEM" as const, id: "report-check" } };
      try {
        return { reported: await reportJobCheck(deps.db, github, ctx, jobRunId, { attempts: 1 }) };
      } catch (error) {
        if (error instanceof GithubApiError && error.retryable && error.retryAfterMs !== undefined) {
          // GitHub said how long to wait: every report waits (they share the installation's budget).
          await worker.rateLimit(Math.max(1_000, error.retryAfterMs));
          throw Worker.RateLimitError();
        }
        throw error;
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
