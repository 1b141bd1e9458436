// Runs an assignment for real: a fresh sandbox of the pool's provider (for untrusted code, the strongest isolating
// provider of the host: untrusted-provider.ts), under every one of the pool's limits from the assignment →
// executeJob (steps, masking, file commands, native checkout) with its log streamed and its steps reported → log
// closed → sandbox destroyed. A job that ran into a limit fails with the limit named.
// A cancel stops the running step (always() steps may still run, within the job's wall time); a lost lease
// or a stopping runner destroys the sandbox at once.
import path from "node:path";
import type { Assignment, PoolLimits } from "@gantry/runner-protocol";
import { checkoutAction, type CheckoutSource } from "./execution/checkout-action";
import { interpolate } from "./execution/interpolate";
import { executeJob } from "./execution/job-executor";
import { objectActions, type ObjectTransfer } from "./execution/object-actions";
import { LogStream, type LogChunk } from "./execution/log-stream";
import type { ActionsOptions, JobResult, StepReport } from "./execution/types";
import { jobContexts } from "./job-contexts";
import { watchLimits } from "./limit-watch";
import { nodeRuntimes } from "./node-runtimes";
import { prepareToolCache, toolCacheFor, type ToolCacheAccess } from "./tool-cache";
import type { ProviderProbe } from "./probe-providers";
import { jobServiceProxy, type JobServiceProxyOptions } from "./service-proxy/job-service-proxy";
import type { JobExecutor, JobOutcome } from "./run-assignment";
import { SandboxRefusedError, type EnforcedLimits, type NetworkPolicy, type Sandbox, type SandboxLimits, type SandboxProvider } from "./sandbox/types";
import { untrustedProvider } from "./untrusted-provider";
import { isRemoteAction } from "./execution/remote-action";
import { InfrastructureError } from "./infrastructure-error";

/** Where a job's log chunks and step reports go (the control plane, in the agent). */
export interface JobReporter {
  /** Consecutive chunks in order (a batch of the LogStream). */
  appendLogs(chunks: LogChunk[]): Promise<void>;
  stepStarted(step: { index: number; id?: string; name: string; startedAt: number }): Promise<void>;
  stepFinished(report: StepReport): Promise<void>;
}

export interface SandboxExecutorOptions {
  /** The pool's provider: every trusted job runs in it. */
  provider: SandboxProvider;
  /** What this host can start: an untrusted job runs in its strongest isolating provider, or not at all. */
  host: ProviderProbe;
  /** The pool's egress policy. */
  egress: NetworkPolicy;
  /** With `allowlist`: the pool's hosts, addresses and CIDR ranges. */
  egressAllowlist?: readonly string[];
  /** The reporter of one attempt; `kill` aborts when the attempt belongs to nobody any more. */
  reporter: (assignment: Assignment, kill: AbortSignal) => JobReporter;
  /** Artifact and cache transfers of one attempt (actions/upload-artifact, download-artifact, cache). */
  objects?: (assignment: Assignment, kill: AbortSignal) => ObjectTransfer;
  /** Checkout tokens of one attempt (GitHub-connected runs): a contents:read token and clone URL per repository. */
  checkoutTokens?: (assignment: Assignment) => (repository: string) => Promise<{ token: string; cloneUrl: string }>;
  log: (line: string) => void;
  /** Per-job log cap; past it the log ends with a truncation marker. */
  maxJobLogBytes?: number;
  /** Remote actions of one attempt (resolve + download through the control plane); absent: remote `uses:` fail. */
  actions?: (assignment: Assignment, kill: AbortSignal) => Pick<ActionsOptions, "resolve" | "download">;
  /** The runner's state folder (the action archives by sha-256 live in `<stateDir>/actions`). */
  stateDir?: string;
  /** The tool cache on the host (RUNNER_TOOL_CACHE); default `<stateDir>/tool-cache`. */
  toolCache?: string;
  /** The per-job service proxy (actions services, GitHub API) reachable from inside every sandbox; absent: none. */
  serviceProxy?: JobServiceProxyOptions;
}

/** Where the native checkout fetches from: the installation's GitHub (tokens per repository) or the git source. */
function checkoutSourceOf(assignment: Assignment, tokens: SandboxExecutorOptions["checkoutTokens"]): CheckoutSource | null {
  const { run } = assignment;
  if (run.source === "github" && run.serverUrl && tokens) {
    const serverUrl = run.serverUrl.replace(/\/+$/, "");
    const apiUrl = run.apiUrl.replace(/\/+$/, "");
    const revoke = apiUrl ? (token: string) => revokeCheckoutToken(apiUrl, token) : undefined;
    return { repositoryUrl: `${serverUrl}/${run.repository}.git`, sha: run.sha, github: { repository: run.repository, serverUrl, checkoutToken: tokens(assignment), jobToken: run.githubToken, ...(revoke ? { revoke } : {}) } };
  }
  return run.repositoryUrl ? { repositoryUrl: run.repositoryUrl, sha: run.sha } : null;
}

/** DELETE /installation/token with the token itself: a checkout token is done once the fetch is. */
async function revokeCheckoutToken(apiUrl: string, token: string): Promise<void> {
  await fetch(`${apiUrl}/installation/token`, { method: "DELETE", headers: { accept: "application/vnd.github+json", authorization: `token ${token}`, "user-agent": "gantry-runner" }, signal: AbortSignal.timeout(10_000) });
}

// GitHub's default when a job names no timeout-minutes.
const DEFAULT_TIMEOUT_MINUTES = 360;

/** The job's wall time from its timeout-minutes (a number, or an expression over github/needs/matrix). */
export function jobWallTimeMs(assignment: Assignment): number {
  const raw = assignment.job.timeoutMinutes;
  const contexts = { ...jobContexts(assignment), matrix: assignment.job.matrix ?? {} };
  const text = typeof raw === "number" ? { ok: true as const, value: String(raw) } : interpolate(raw, contexts, "timeout-minutes");
  const minutes = text.ok ? Number(text.value) : Number.NaN;
  return Math.round((Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_TIMEOUT_MINUTES) * 60_000);
}

/** Every limit of the job's sandbox: the pool's, and the wall time from timeout-minutes capped at the pool's ceiling. */
export function jobSandboxLimits(assignment: Assignment): SandboxLimits {
  return poolSandboxLimits(assignment.limits, jobWallTimeMs(assignment));
}

/** A sandbox's limits from a pool's (bench/sandbox.ts measures with exactly these). */
export function poolSandboxLimits(pool: PoolLimits, wallTimeMs: number): SandboxLimits {
  return {
    wallTimeMs: Math.min(wallTimeMs, pool.maxTimeoutMinutes * 60_000),
    cpus: pool.cpus,
    memoryBytes: pool.memoryBytes,
    pids: pool.pids,
    diskBytes: pool.diskBytes,
    fileSizeBytes: pool.fileSizeBytes,
  };
}

const ENFORCED_BY: Record<keyof SandboxLimits, keyof EnforcedLimits> = { wallTimeMs: "wallTime", memoryBytes: "memory", pids: "pids", cpus: "cpu", fileSizeBytes: "fileSize", diskBytes: "disk" };

/** The limits asked for that this host could not enforce (for the runner's log: the operator must know). */
export function unenforcedLimits(limits: SandboxLimits, enforced: EnforcedLimits): (keyof EnforcedLimits)[] {
  return Object.entries(ENFORCED_BY).flatMap(([limit, name]) => (limit in limits && !enforced[name] ? [name] : []));
}

/** The job's outcome; a job that hit a limit fails (even if its steps coped) with the limit first in the reason. */
function outcomeOf(result: JobResult, limitsHit: string[]): JobOutcome {
  if (result.conclusion === "cancelled") return { conclusion: "CANCELED", outputs: result.outputs };
  if (result.conclusion === "success" && limitsHit.length === 0) return { conclusion: "SUCCEEDED", outputs: result.outputs };
  const failed = result.steps.find((step) => step.conclusion === "failure");
  const stepReason = failed ? `step ${JSON.stringify(failed.name)} failed${failed.error ? `: ${failed.error}` : ""}` : result.conclusion === "failure" ? "the job failed" : undefined;
  const reason = [...limitsHit, ...(stepReason ? [stepReason] : [])].join("; ");
  return { conclusion: "FAILED", outputs: result.outputs, failureReason: reason.slice(0, 2000) };
}

/**
 * The egress a job gets: the pool's, except that untrusted code (a fork's pull request) never gets `open`;
 * an allowlist names hosts the pool's owner chose, so it applies to untrusted jobs as it is.
 */
export function jobEgress(pool: NetworkPolicy, untrusted: boolean): NetworkPolicy {
  return untrusted && pool === "open" ? "none" : pool;
}

export function sandboxExecutor(options: SandboxExecutorOptions): JobExecutor {
  // Prepared once per runner: a cache sandboxes cannot use is named in the log once, not per job.
  let cacheAccess: ToolCacheAccess | undefined | null = null;
  const toolCacheAccess = () => {
    if (cacheAccess !== null) return cacheAccess;
    const host = options.toolCache ?? (options.stateDir ? path.join(options.stateDir, "tool-cache") : undefined);
    cacheAccess = host ? prepareToolCache(host) : undefined;
    if (cacheAccess?.why) options.log(`runner: the tool cache ${cacheAccess.host} is ${cacheAccess.access === "none" ? "left out of sandboxes" : "read-only in sandboxes"}: ${cacheAccess.why} (set GANTRY_TOOL_CACHE to a folder others can reach)`);
    return cacheAccess;
  };
  return async (assignment, signal, kill) => {
    const untrusted = !assignment.run.trusted;
    const network = jobEgress(options.egress, untrusted);
    let provider = options.provider;
    if (untrusted) {
      // A remote action may be JavaScript (its kind is known once resolved): the job needs the Node runtimes mounted.
      const nodeRuntimes = assignment.job.steps.some((step) => step.uses !== undefined && isRemoteAction(step.uses));
      const choice = untrustedProvider(options.host, network, { nodeRuntimes });
      if (!choice.ok) {
        options.log(`runner: refusing untrusted job ${assignment.job.key}: ${choice.error}`);
        return { conclusion: "FAILED", outputs: {}, failureReason: choice.error };
      }
      provider = choice.provider;
      options.log(`runner: untrusted job ${assignment.job.key} runs in ${provider.name} (${choice.why}; the pool's provider is ${options.provider.name})`);
    }
    const limits = jobSandboxLimits(assignment);
    const startedAt = Date.now();
    // Starting the sandbox — its toolchains, the service proxy, the provider's prepare — is the runner's business:
    // a failure there is the platform's (the job is retried on another runner), except a refusal of what the job
    // asks for, which is the job's.
    let sandbox: Sandbox;
    let proxy: Awaited<ReturnType<typeof jobServiceProxy>>;
    let node: ReturnType<typeof nodeRuntimes>;
    let toolCache: ReturnType<typeof toolCacheFor>;
    try {
      // The Node runtimes actions run on, and the tool cache: writable only for trusted jobs (an untrusted one could
      // leave a poisoned toolchain for the next job).
      node = nodeRuntimes();
      toolCache = toolCacheFor(toolCacheAccess(), !untrusted, provider.name);
      const tools = { node, ...(toolCache ? { toolCache } : {}) };
      proxy = await jobServiceProxy(assignment, options.serviceProxy);
      try {
        sandbox = await provider.prepare({ untrusted, network, egressAllowlist: options.egressAllowlist ?? [], limits, tools, ...(proxy ? { serviceSocket: proxy.socketPath } : {}) });
      } catch (error) {
        await proxy?.close();
        throw error;
      }
      proxy?.setServiceBase(sandbox.serviceUrl);
      if (proxy && sandbox.serviceUrl === undefined) options.log(`runner: ${assignment.job.key}: the ${provider.name} sandbox cannot reach the service proxy here (docs/sandboxes.md)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof SandboxRefusedError) return { conclusion: "FAILED", outputs: {}, failureReason: `the ${provider.name} sandbox refused this job: ${message}` };
      options.log(`runner: the ${provider.name} sandbox of ${assignment.job.key} did not start: ${message}`);
      throw new InfrastructureError(`the ${provider.name} sandbox did not start: ${message}`, { cause: error });
    }
    const destroyNow = () => {
      options.log(`runner: destroying the sandbox of ${assignment.job.key}: ${String(kill.reason)}`);
      void sandbox.destroy();
    };
    kill.addEventListener("abort", destroyNow, { once: true });
    const missing = unenforcedLimits(limits, sandbox.enforced);
    if (missing.length > 0) options.log(`runner: ${assignment.job.key} runs without its ${missing.join(", ")} limit: this host cannot enforce it with ${provider.name}`);
    const watch = watchLimits(sandbox, limits, startedAt);
    const reporter = options.reporter(assignment, kill);
    const log = new LogStream({ sink: (chunks) => reporter.appendLogs(chunks), ...(options.maxJobLogBytes !== undefined ? { maxJobBytes: options.maxJobLogBytes } : {}) });
    try {
      const checkout = checkoutSourceOf(assignment, options.checkoutTokens);
      const result = await executeJob({
        job: assignment.job,
        sandbox: watch.sandbox,
        log,
        contexts: jobContexts(assignment),
        signal,
        nativeActions: {
          ...(checkout ? { "actions/checkout": checkoutAction(checkout) } : {}),
          ...(options.objects ? objectActions(options.objects(assignment, kill)) : {}),
        },
        ...(options.actions && options.stateDir
          ? {
              actions: {
                ...options.actions(assignment, kill),
                cacheDir: path.join(options.stateDir, "actions"),
                nodeRuntimes: node,
                ...(toolCache ? { toolCache: toolCache.host } : {}),
                ...(assignment.runtimeToken ? { runtimeToken: assignment.runtimeToken } : {}),
                source: assignment.run.source,
                serverUrl: assignment.run.serverUrl,
              },
            }
          : {}),
        onStepStart: (step) => reporter.stepStarted(step),
        onStepFinish: (report) => reporter.stepFinished(report),
      });
      await log.close();
      return outcomeOf(result, watch.hits());
    } finally {
      kill.removeEventListener("abort", destroyNow);
      await sandbox.destroy();
      await proxy?.close();
    }
  };
}
