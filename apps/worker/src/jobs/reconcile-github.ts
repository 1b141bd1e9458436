// The reconcile-github tick: GitHub does not redeliver on its own, so every GANTRY_GITHUB_RECONCILE_INTERVAL_MS the
// worker looks for events whose delivery never arrived (reconcileGithubRepositories) since its last successful
// look, minus a margin for commits and deliveries in flight at that moment. The mark lives in Redis; when it is
// missing (first tick, Redis lost) the look-back is a bounded window, and the idempotency keys make looking twice
// at the same events harmless.
import { Worker, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import { jobCatalog, parsePayload } from "@gantry/jobs";
import { reconcileGithubRepositories, type ReconcileReport } from "../intake/github/reconcile";
import type { GithubIntakeDeps } from "../intake/github/types";

/** Looked at again on each tick: commit dates and webhook delays near the previous tick. */
export const RECONCILE_MARGIN_MS = 5 * 60_000;

export const reconcileMarkKey = (prefix: string) => `${prefix}:github-reconcile:last-success`;

export interface ReconcileTickDeps {
  intake: GithubIntakeDeps;
  redis: Pick<Redis, "get" | "set">;
  prefix: string;
  /** How far back to look without a mark. */
  lookbackMs: number;
  now?: () => number;
}

export type ReconcileTick = { skipped: string } | (ReconcileReport & { since: Date });

export async function reconcileGithubTick(deps: ReconcileTickDeps): Promise<ReconcileTick> {
  const github = deps.intake.github;
  if (!github) return { skipped: "no GitHub App is configured" };
  const startedAt = (deps.now ?? Date.now)();
  const mark = Number(await deps.redis.get(reconcileMarkKey(deps.prefix)));
  const since = new Date(Number.isFinite(mark) && mark > 0 ? mark - RECONCILE_MARGIN_MS : startedAt - deps.lookbackMs);
  const report = await reconcileGithubRepositories(deps.intake, github, since);
  // The tick's start, not its end: what was pushed while it ran is looked at next time. A repository GitHub
  // did not answer for keeps the old mark, so the next tick covers its window again.
  if (report.failed === 0) await deps.redis.set(reconcileMarkKey(deps.prefix), String(startedAt));
  return { ...report, since };
}

export interface ReconcileWorkerDeps extends ReconcileTickDeps {
  connection: ConnectionOptions;
  log: (line: string) => void;
}

/** The reconcile-github worker; its job scheduler (only while an App is or may be configured) is in periodic-jobs.ts. */
export function startReconcileGithubWorker(deps: ReconcileWorkerDeps): Worker {
  const definition = jobCatalog["reconcile-github"];
  return new Worker(
    definition.queue,
    async (job) => {
      parsePayload("reconcile-github", job.data);
      const tick = await reconcileGithubTick(deps);
      if ("skipped" in tick) return tick;
      if (tick.created > 0 || tick.failed > 0) deps.log(`github reconciler: ${tick.created} missed event(s) run, ${tick.failed} repository(ies) not reachable`);
      return { repositories: tick.repositories, failed: tick.failed, created: tick.created, since: tick.since.toISOString() };
    },
    { connection: deps.connection, prefix: deps.prefix, lockDuration: definition.lockDurationMs, concurrency: 1 },
  );
}
