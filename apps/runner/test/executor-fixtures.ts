// What the executor tests share: an assignment as the claim answer gives it (the pool's limits default to
// DEFAULT_POOL_LIMITS, as for a pool nobody changed) and a reporter that records what the control plane would get.
import { DEFAULT_POOL_LIMITS, type Assignment, type PoolLimits } from "@gantry/runner-protocol";
import type { LogChunk } from "../src/execution/log-stream";
import type { StepReport } from "../src/execution/types";
import type { ProviderProbe } from "../src/probe-providers";
import type { SandboxProvider } from "../src/sandbox/types";
import type { JobReporter } from "../src/sandbox-executor";

export function assignment(runs: { run: string; if?: string; name?: string }[], fields: { timeoutMinutes?: number | string; trusted?: boolean; limits?: Partial<PoolLimits> } = {}): Assignment {
  return {
    attemptId: "att",
    attempt: 1,
    jobToken: "gjt_xxxxxxxxxxxxxxxxxxxxxxxx",
    leaseMs: 30_000,
    heartbeatMs: 5_000,
    run: { id: "run", number: 1, attempt: 1, event: "push", ref: "refs/heads/main", sha: "a".repeat(40), repository: "demo/hello", repositoryUrl: null, trusted: fields.trusted ?? true, inputs: {}, actor: "", eventPayload: {}, source: "none", serverUrl: "", apiUrl: "", githubToken: null, workflow: "" },
    strategy: {},
    job: {
      key: "build",
      jobId: "build",
      name: "build",
      env: {},
      outputs: {},
      timeoutMinutes: fields.timeoutMinutes ?? 5,
      continueOnError: false,
      steps: runs.map((step, index) => ({ index, ...(step.name ? { name: step.name } : {}), if: step.if ?? "success()", run: step.run, env: {}, with: {}, continueOnError: false })),
    },
    secrets: {},
    needs: {},
    vars: {},
    limits: { ...DEFAULT_POOL_LIMITS, ...fields.limits },
  };
}

/** Collects what the executor reports, as the control plane would receive it. */
export function recorder() {
  const chunks: LogChunk[] = [];
  const finished: StepReport[] = [];
  const reporter: JobReporter = { appendLogs: async (batch) => void chunks.push(...batch), stepStarted: async () => undefined, stepFinished: async (report) => void finished.push(report) };
  return { chunks, finished, text: () => chunks.map((c) => c.data).join(""), reporter };
}


/** A host whose only provider is `provider` (what the executor picks untrusted jobs' sandboxes from). */
export function onlyHost(provider: SandboxProvider): ProviderProbe {
  const absent = { available: false, detail: "not probed" };
  return { available: [provider.name], details: { microvm: absent, gvisor: absent, bwrap: absent, process: absent, [provider.name]: { available: true, detail: "test" } }, providers: [provider] };
}
