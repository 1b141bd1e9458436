// Runs an assignment for real: a fresh sandbox of the pool's provider (for untrusted code, the strongest isolating
// provider of the host: untrusted-provider.ts) → executeJob (steps, masking, file
// commands, native checkout) with its log streamed and its steps reported → log closed → sandbox destroyed.
// A cancel stops the running step (always() steps may still run, within the job's wall time); a lost lease
// or a stopping runner destroys the sandbox at once.
import type { Assignment } from "@gantry/runner-protocol";
import { checkoutAction } from "./execution/checkout-action";
import { interpolate } from "./execution/interpolate";
import { executeJob } from "./execution/job-executor";
import { objectActions, type ObjectTransfer } from "./execution/object-actions";
import { LogStream, type LogChunk } from "./execution/log-stream";
import type { JobResult, StepReport } from "./execution/types";
import { jobContexts } from "./job-contexts";
import type { ProviderProbe } from "./probe-providers";
import type { JobExecutor, JobOutcome } from "./run-assignment";
import { SandboxRefusedError, type NetworkPolicy, type Sandbox, type SandboxProvider } from "./sandbox/types";
import { untrustedProvider } from "./untrusted-provider";

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
  log: (line: string) => void;
  /** Per-job log cap; past it the log ends with a truncation marker. */
  maxJobLogBytes?: number;
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

function outcomeOf(result: JobResult): JobOutcome {
  if (result.conclusion === "success") return { conclusion: "SUCCEEDED", outputs: result.outputs };
  if (result.conclusion === "cancelled") return { conclusion: "CANCELED", outputs: result.outputs };
  const failed = result.steps.find((step) => step.conclusion === "failure");
  const reason = failed ? `step ${JSON.stringify(failed.name)} failed${failed.error ? `: ${failed.error}` : ""}` : "the job failed";
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
  return async (assignment, signal, kill) => {
    const untrusted = !assignment.run.trusted;
    const network = jobEgress(options.egress, untrusted);
    let provider = options.provider;
    if (untrusted) {
      const choice = untrustedProvider(options.host, network);
      if (!choice.ok) {
        options.log(`runner: refusing untrusted job ${assignment.job.key}: ${choice.error}`);
        return { conclusion: "FAILED", outputs: {}, failureReason: choice.error };
      }
      provider = choice.provider;
      options.log(`runner: untrusted job ${assignment.job.key} runs in ${provider.name} (${choice.why}; the pool's provider is ${options.provider.name})`);
    }
    let sandbox: Sandbox;
    try {
      sandbox = await provider.prepare({ untrusted, network, egressAllowlist: options.egressAllowlist ?? [], limits: { wallTimeMs: jobWallTimeMs(assignment) } });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof SandboxRefusedError) return { conclusion: "FAILED", outputs: {}, failureReason: `the ${provider.name} sandbox refused this job: ${message}` };
      throw new Error(`the ${provider.name} sandbox did not start: ${message}`, { cause: error });
    }
    const destroyNow = () => {
      options.log(`runner: destroying the sandbox of ${assignment.job.key}: ${String(kill.reason)}`);
      void sandbox.destroy();
    };
    kill.addEventListener("abort", destroyNow, { once: true });
    const reporter = options.reporter(assignment, kill);
    const log = new LogStream({ sink: (chunks) => reporter.appendLogs(chunks), ...(options.maxJobLogBytes !== undefined ? { maxJobBytes: options.maxJobLogBytes } : {}) });
    try {
      const repositoryUrl = assignment.run.repositoryUrl;
      const result = await executeJob({
        job: assignment.job,
        sandbox,
        log,
        contexts: jobContexts(assignment),
        signal,
        nativeActions: {
          ...(repositoryUrl ? { "actions/checkout": checkoutAction({ repositoryUrl, sha: assignment.run.sha }) } : {}),
          ...(options.objects ? objectActions(options.objects(assignment, kill)) : {}),
        },
        onStepStart: (step) => reporter.stepStarted(step),
        onStepFinish: (report) => reporter.stepFinished(report),
      });
      await log.close();
      return outcomeOf(result);
    } finally {
      kill.removeEventListener("abort", destroyNow);
      await sandbox.destroy();
    }
  };
}
