// Starts the worker's queues, schedulers and heartbeat; returns a stop function that drains them.
import os from "node:os";
import path from "node:path";
import { Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { intake, openDatabase } from "@gantry/db";
import type { WorkerEnv } from "./env";
import { startHeartbeat } from "./heartbeat";
import { processDelivery } from "./intake/process-delivery";
import { jobCatalog, parsePayload, Queues } from "@gantry/jobs";
import { FairScheduler } from "@gantry/scheduler";
import { createEngine, publishRunChange, recordWorkflowRunEvents, type Engine } from "@gantry/engine";
import { catchUpLogIndex, indexAttemptLogJob } from "./jobs/index-attempt-log";
import { revokeAttemptGithubToken, sweepEndedAttemptTokens } from "./jobs/revoke-github-token";
import { sweepDeliveries } from "./jobs/sweep-deliveries";
import { GithubAppSource } from "@gantry/github";
import { githubClientSource } from "./intake/github/github-client";
import { startRunsThrough } from "./intake/run-starter";
import { startReportCheckWorker } from "./jobs/report-check";
import { startReconcileGithubWorker } from "./jobs/reconcile-github";
import { reconcileGitRefs } from "./jobs/reconcile-git-refs";
import { rebuildJobSchedulers } from "./intake/schedules/job-schedulers";
import { runScheduleTick, tickTimeOf } from "./intake/schedules/schedule-tick";
import { DEFAULT_RETENTION, sweepStorage } from "./storage/retention";
import { DirectoryObjectStore } from "@gantry/storage";
import { periodicJobs, upsertPeriodicJobs } from "./periodic-jobs";
import { markRedisEpoch } from "./redis-loss/epoch";
import { rebuildRedisFromPostgres } from "./redis-loss/rebuild";
import { watchRedisLoss } from "./redis-loss/watch";


export interface RunningWorker {
  queues: Queues;
  engine: Engine;
  scheduler: FairScheduler;
  stop(): Promise<void>;
}

export async function startWorker(env: WorkerEnv, log: (line: string) => void = console.log): Promise<RunningWorker> {
  const db = openDatabase(env.DATABASE_URL);
  // BullMQ needs maxRetriesPerRequest: null on the connections its workers block on.
  const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new Queues(connection, env.GANTRY_QUEUE_PREFIX);
  // The fair scheduler gets a connection of its own: BullMQ's block, and its Lua calls should not wait behind them.
  const schedulerRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3 });
  const scheduler = new FairScheduler({ redis: schedulerRedis, prefix: env.GANTRY_QUEUE_PREFIX });
  const gitCacheDir = env.GANTRY_GIT_CACHE_DIR ?? path.join(os.tmpdir(), "gantry-git-cache");
  const workers: Worker[] = [];
  const common = { connection, prefix: env.GANTRY_QUEUE_PREFIX };
  // The GitHub App's client, looked up per use: the manifest flow may write the App file while the worker runs.
  const appSource = new GithubAppSource(env.githubApp);
  const publicUrl = env.GANTRY_PUBLIC_URL ? new URL(env.GANTRY_PUBLIC_URL).origin : undefined;
  const githubClient = githubClientSource(appSource, log, publicUrl);
  // The run engine: every job transition goes through it, and it tells GitHub (check runs, workflow_run events).
  const engine = createEngine({
    db,
    scheduler,
    queues,
    // Live run views (the web's RunEventHub) hear that a tenant's runs changed.
    announceRunChange: publishRunChange(schedulerRedis, env.GANTRY_QUEUE_PREFIX),
    github: () => {
      const app = appSource.current();
      return app ? { webUrl: app.webUrl, apiUrl: app.apiUrl } : null;
    },
  });
  // What intake, schedule ticks and the ref reconciler share (the queues: schedule syncs reach BullMQ at once).
  // Intake only creates runs; their first advance is an advance-run job (intake/run-starter.ts).
  const intakeDeps = { db, gitCacheDir, startRun: startRunsThrough(queues), queues, get github() { return githubClient(); } };

  // Marked before this start's rebuild below, so that a loss during it is noticed too (redis-loss/).
  await markRedisEpoch(schedulerRedis, env.GANTRY_QUEUE_PREFIX, env.GANTRY_WORKER_ID);
  // Job schedulers, not timers: one tick per interval across every worker replica, and they survive restarts.
  const periodic = periodicJobs(env);
  await upsertPeriodicJobs(queues, periodic);
  const reap = jobCatalog["reap-leases"];
  workers.push(
    new Worker(
      reap.queue,
      async (job) => {
        if (job.name === "reconcile-queues") {
          await rebuildJobSchedulers(db, queues);
          return engine.reconcile();
        }
        if (job.name === "sweep-deliveries") {
          const payload = parsePayload("sweep-deliveries", job.data);
          const queued = await sweepDeliveries(db, queues, payload.olderThanMs, payload.limit);
          if (queued > 0) log(`delivery sweep: queued ${queued} stored delivery(ies) for intake`);
          return { queued };
        }
        const payload = parsePayload("reap-leases", job.data);
        const result = await engine.reap(payload.limit);
        if (result.lost > 0) log(`reaper: ${result.lost} lost, ${result.requeued} requeued, ${result.failed} failed`);
        // Attempts that ended without a complete (lost, timed out, canceled) still hold their GITHUB_TOKEN: revoke it.
        await sweepEndedAttemptTokens(db, queues);
        return { lost: result.lost, requeued: result.requeued, failed: result.failed };
      },
      { ...common, lockDuration: reap.lockDurationMs, concurrency: 1 },
    ),
  );

  const intakeJob = jobCatalog.intake;
  const intakeWorker = new Worker(
    intakeJob.queue,
    async (job) => {
      if (job.name === "workflow-run-events") {
        const { tenantId, runId } = parsePayload("workflow-run-events", job.data);
        return recordWorkflowRunEvents(db, queues, { tenantId, actor: { kind: "SYSTEM", id: "workflow-run-events" } }, runId);
      }
      const { deliveryId } = parsePayload("intake", job.data);
      const result = await processDelivery(intakeDeps, deliveryId);
      if (result) log(`intake ${deliveryId}: ${result.outcome}${result.reason ? ` (${result.reason})` : ""}, ${result.runs.filter((r) => r.created).length} new run(s)`);
      return result;
    },
    { ...common, lockDuration: intakeJob.lockDurationMs, concurrency: 4 },
  );
  // Retries exhausted: the delivery is settled FAILED so that it shows, instead of staying RECEIVED forever.
  intakeWorker.on("failed", (job: Job | undefined, error) => {
    if (!job || job.attemptsMade < intakeJob.attempts) return;
    const parsed = intakeJob.payload.safeParse(job.data);
    if (parsed.success) void intake.settleDelivery(db.system("intake gave up"), parsed.data.deliveryId, "FAILED", error.message);
  });
  workers.push(intakeWorker);

  const timeouts = jobCatalog["job-timeout"];
  workers.push(
    new Worker(
      timeouts.queue,
      async (job) => {
        if (job.name === "environment-gate") {
          const { tenantId, runId } = parsePayload("environment-gate", job.data);
          const ctx = { tenantId, actor: { kind: "SYSTEM" as const, id: "environment-gate" } };
          const result = await engine.advance(ctx, runId);
          return { ready: result.ready.length, failed: result.failed.length, held: result.held.length };
        }
        if (job.name === "job-retry") {
          await engine.retryDue(parsePayload("job-retry", job.data));
          return { retried: true };
        }
        return { timedOut: await engine.timeOut(parsePayload("job-timeout", job.data)) };
      },
      { ...common, lockDuration: timeouts.lockDurationMs, concurrency: 4 },
    ),
  );
  const rebuilt = await engine.rebuildTimers();
  if (rebuilt > 0) log(`timers: rebuilt ${rebuilt} job timeout(s) from Postgres`);
  // Also re-arms the timers of jobs held at environment gates: those runs have nothing in flight, so they advance.
  const restored = await engine.reconcile();
  if (restored.ready + restored.claimed > 0) log(`queues: rebuilt ${restored.pools} pool(s) from Postgres: ${restored.ready} ready, ${restored.claimed} running`);

  for (const worker of workers) worker.on("failed", (job, error) => log(`job ${job?.name ?? "?"} failed: ${error.message}`));
  const advance = jobCatalog["advance-run"];
  workers.push(
    new Worker(
      advance.queue,
      async (job) => {
        const { tenantId, runId, start } = parsePayload("advance-run", job.data);
        const ctx = { tenantId, actor: { kind: "SYSTEM" as const, id: start ? "start-run" : "advance-run" } };
        return start ? engine.startRun(ctx, runId) : engine.advance(ctx, runId);
      },
      { ...common, lockDuration: advance.lockDurationMs, concurrency: 8 },
    ),
  );

  // Schedules: Postgres holds them, so their job schedulers are rebuilt from the rows whenever a worker starts.
  const schedules = await rebuildJobSchedulers(db, queues);
  if (schedules.registered + schedules.removed > 0) log(`schedules: ${schedules.registered} job scheduler(s) rebuilt from Postgres, ${schedules.removed} unbacked removed`);
  const tick = jobCatalog["schedule-tick"];
  workers.push(
    new Worker(
      tick.queue,
      async (job) => {
        const payload = parsePayload("schedule-tick", job.data);
        const result = await runScheduleTick(intakeDeps, payload, tickTimeOf(job));
        log(`schedule ${payload.workflowPath} "${payload.cron}": ${result.outcome}${result.reason ? ` (${result.reason})` : ""}`);
        return result;
      },
      { ...common, lockDuration: tick.lockDurationMs, concurrency: 4 },
    ).on("failed", (job, error) => log(`schedule tick ${job?.id ?? "?"} failed (attempt ${job?.attemptsMade ?? "?"}): ${error.message}`)),
  );

  const gitRefs = jobCatalog["reconcile-git-refs"];
  workers.push(
    new Worker(
      gitRefs.queue,
      async () => {
        const report = await reconcileGitRefs(intakeDeps);
        if (report.moved.length > 0) log(`git ref reconciler: ${report.moved.length} missed push(es), ${report.runs.filter((run) => run.created).length} new run(s)`);
        for (const error of report.errors) log(`git ref reconciler: ${error}`);
        return { repositories: report.repositories, baselined: report.baselined, moved: report.moved.length, errors: report.errors.length };
      },
      { ...common, lockDuration: gitRefs.lockDurationMs, concurrency: 1 },
    ),
  );

  // Storage retention: expired artifacts, evicted caches, then every archive object no row names (storage/retention.ts).
  // Only with GANTRY_STORAGE_DIR named: a sweep must never guess which directory is this database's store.
  const retention = jobCatalog["storage-retention"];
  if (env.GANTRY_STORAGE_DIR) {
    const store = new DirectoryObjectStore(path.resolve(env.GANTRY_STORAGE_DIR));
    const policy = { ...DEFAULT_RETENTION, cacheUnusedMs: env.GANTRY_CACHE_UNUSED_DAYS * 24 * 3600_000, cacheMaxBytesPerRepository: env.GANTRY_CACHE_MAX_BYTES_PER_REPOSITORY };
    workers.push(
      new Worker(
        retention.queue,
        async () => {
          const report = await sweepStorage(db, store, policy);
          if (report.artifactsExpired + report.cachesUnused + report.cachesOverCap + report.objectsDeleted + report.uploadsAbandoned > 0) {
            log(`storage retention: ${report.artifactsExpired} expired artifact(s), ${report.cachesUnused} unused and ${report.cachesOverCap} over-cap cache entr(ies), ${report.objectsDeleted} object(s) deleted (${report.bytesFreed} bytes), ${report.uploadsAbandoned} abandoned upload(s)`);
          }
          return report;
        },
        { ...common, lockDuration: retention.lockDurationMs, concurrency: 1 },
      ),
    );
  } else {
    log("storage retention: off (GANTRY_STORAGE_DIR is not set)");
  }

  // Log search: ended attempts' archived logs into LogLine (jobs/index-attempt-log.ts); needs the store's directory.
  const logIndex = jobCatalog["index-attempt-log"];
  if (env.GANTRY_STORAGE_DIR) {
    const store = new DirectoryObjectStore(path.resolve(env.GANTRY_STORAGE_DIR));
    workers.push(
      new Worker(
        logIndex.queue,
        async (job) => {
          if (job.name === "index-logs-catch-up") {
            const queued = await catchUpLogIndex(db, queues, parsePayload("index-logs-catch-up", job.data).limit);
            if (queued > 0) log(`log search: queued ${queued} ended attempt(s) for indexing`);
            return { queued };
          }
          return indexAttemptLogJob(db, store, parsePayload("index-attempt-log", job.data));
        },
        { ...common, lockDuration: logIndex.lockDurationMs, concurrency: 2 },
      ),
    );
  } else {
    log("log search indexing: off (GANTRY_STORAGE_DIR is not set)");
  }

  const revoke = jobCatalog["revoke-github-token"];
  const masterKey = env.GANTRY_MASTER_KEY ? Buffer.from(env.GANTRY_MASTER_KEY, "base64") : null;
  workers.push(
    new Worker(
      revoke.queue,
      async (job) => revokeAttemptGithubToken({ db, masterKey, github: githubClient(), log }, parsePayload("revoke-github-token", job.data)),
      { ...common, lockDuration: revoke.lockDurationMs, concurrency: 4 },
    ),
  );

  const queueNames = [revoke.queue, reap.queue, intakeJob.queue, timeouts.queue, advance.queue, tick.queue, gitRefs.queue, retention.queue, logIndex.queue];
  // GitHub check runs follow every job transition (report-check, rate-limited for GitHub's API).
  const checks = startReportCheckWorker({ db, github: githubClient, connection, redis: connection, prefix: env.GANTRY_QUEUE_PREFIX, perSecond: env.GANTRY_GITHUB_CHECKS_PER_SECOND, whyWaiting: (ctx, runId, onlyJobId) => engine.whyWaiting(ctx, runId, onlyJobId), ...(publicUrl ? { publicUrl } : {}) });
  workers.push(checks);
  queueNames.push(checks.name);
  // Missed GitHub deliveries, looked for every GANTRY_GITHUB_RECONCILE_INTERVAL_MS while an App is (or may be) configured (periodic-jobs.ts).
  const reconcileGithub = startReconcileGithubWorker({
    intake: intakeDeps,
    redis: connection,
    prefix: env.GANTRY_QUEUE_PREFIX,
    lookbackMs: env.GANTRY_GITHUB_RECONCILE_LOOKBACK_MS,
    connection,
    log,
  });
  workers.push(reconcileGithub);
  queueNames.push(reconcileGithub.name);
  // One line, not a stack on stderr: e.g. "Missing key for job …" for the jobs in flight when Redis lost its data.
  for (const worker of workers) worker.on("error", (error) => log(`queue ${worker.name}: ${error.message}`));
  const stopHeartbeat = startHeartbeat(connection, env.GANTRY_WORKER_ID, queueNames);
  // Redis losing its data (a flush, a restart without persistence) is noticed within seconds and rebuilt from Postgres.
  const redisLoss = watchRedisLoss({
    redis: schedulerRedis,
    prefix: env.GANTRY_QUEUE_PREFIX,
    owner: env.GANTRY_WORKER_ID,
    intervalMs: env.GANTRY_REDIS_WATCH_INTERVAL_MS,
    rebuild: () => rebuildRedisFromPostgres({ engine, queues, periodic }),
    log,
  });
  log(`worker ${env.GANTRY_WORKER_ID} ready (queues: ${queueNames.join(", ")})`);
  return {
    queues,
    engine,
    scheduler,
    async stop() {
      // Withdraw from the health page first: draining may wait for a running job, and the process may be killed
      // before it ends (the up-command allows 10 s).
      await stopHeartbeat();
      await redisLoss.stop();
      await Promise.all(workers.map((worker) => worker.close()));
      await queues.close();
      connection.disconnect();
      schedulerRedis.disconnect();
      await db.close();
    },
  };
}
