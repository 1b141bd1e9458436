/**
 * Benchmark `sandbox`: a trivial `echo` step per available provider, ~20 runs each, sequential.
 *   - first output: prepare() start → first byte of the step's output read from the sandbox (cold start);
 *   - first log chunk: prepare() start → first chunk at the log sink (adds the executor and the log stream;
 *     here the step ends before the 100 ms timer, so the chunk goes at the step's end);
 *   - total: prepare → executeJob → log close → destroy (workspace removed).
 * Prints p50/p95/p99 per provider (and bwrap and gvisor with limits, bwrap with egress open); the last line is one JSON
 * object.
 * `+limits` is the start every job now has: the pool defaults (DEFAULT_POOL_LIMITS: 2 CPUs, 4 GiB, 1,024 processes,
 * 10 GiB disk and file size) as sandboxExecutor passes them, with the quota volume taken from the runner's warm
 * spares. Before each run the bench waits until the spares are made again, as a real job (longer than the ~40 ms a
 * spare takes, in the background) leaves time for. `bwrap+limits-cold` has no spares: a runner's first job, or the
 * first after its pool's disk limit changed.
 * Run: npx tsx bench/sandbox.ts   (env GANTRY_BENCH_RUNS, default 20)
 */
import { executeJob } from "../apps/runner/src/execution/job-executor";
import { LogStream } from "../apps/runner/src/execution/log-stream";
import { DEFAULT_POOL_LIMITS } from "@gantry/runner-protocol";
import { allProviders } from "../apps/runner/src/sandbox/probe";
import type { SandboxProvider, SandboxSpec } from "../apps/runner/src/sandbox/types";
import { warmQuotaVolumes } from "../apps/runner/src/sandbox/warm-volumes";
import { poolSandboxLimits } from "../apps/runner/src/sandbox-executor";

const RUNS = Number(process.env.GANTRY_BENCH_RUNS ?? 20);

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

async function firstOutput(provider: SandboxProvider): Promise<number> {
  const started = performance.now();
  const sandbox = await provider.prepare({ untrusted: false });
  try {
    const child = sandbox.exec({ argv: ["/bin/sh", "-c", "echo hello"], env: sandbox.baseEnv, cwd: sandbox.paths.workspace });
    let at = NaN;
    for await (const _chunk of child.output) if (Number.isNaN(at)) at = performance.now() - started;
    await child.wait();
    return at;
  } finally {
    await sandbox.destroy();
  }
}

async function stepTimes(provider: SandboxProvider): Promise<{ firstChunk: number; total: number }> {
  const started = performance.now();
  let firstChunk = NaN;
  const log = new LogStream({ sink: async () => void (Number.isNaN(firstChunk) && (firstChunk = performance.now() - started)) });
  const sandbox = await provider.prepare({ untrusted: false });
  try {
    const job = { key: "b", jobId: "b", name: "b", needs: [], runsOn: [], timeoutMinutes: 5, continueOnError: false, outputs: {}, env: {}, failFast: true, retry: { maxAttempts: 1, on: "platform" as const }, steps: [{ index: 0, if: "success()", run: "echo hello", env: {}, with: {}, continueOnError: false }] };
    const result = await executeJob({ job, sandbox, log, contexts: { github: {} } });
    if (result.conclusion !== "success") throw new Error(`${provider.name}: the echo step failed`);
    await log.close();
  } finally {
    await sandbox.destroy();
  }
  return { firstChunk, total: performance.now() - started };
}

interface Stat {
  p50: number;
  p95: number;
  p99: number;
}
const figures: Record<string, { runs: number; firstOutputMs: Stat; firstLogChunkMs: Stat; totalMs: Stat } | { available: false; reason: string }> = {};
// The same providers again with every limit on, as a job of a pool with the default limits gets them.
const LIMITS = poolSandboxLimits(DEFAULT_POOL_LIMITS, 5 * 60_000);
/** Before each run: the warm spares made again (production), or none at all (cold). */
const warm = () => warmQuotaVolumes.ready();
const cold = () => warmQuotaVolumes.close();
interface Variant {
  label: string;
  provider: SandboxProvider;
  before?: () => Promise<void>;
}
// And bwrap with egress open: its own network namespace with slirp4netns attached and the nftables rules installed.
const variants: Variant[] = allProviders({ devMode: true }).flatMap((provider) => [
  { label: provider.name, provider },
  ...(provider.name === "bwrap" || provider.name === "gvisor" ? [{ label: `${provider.name}+limits`, provider: withSpec(provider, { limits: LIMITS }), before: warm }] : []),
  ...(provider.name === "bwrap" ? [{ label: "bwrap+limits-cold", provider: withSpec(provider, { limits: LIMITS }), before: cold }] : []),
  ...(provider.name === "bwrap" ? [{ label: "bwrap+open", provider: withSpec(provider, { network: "open" }) }] : []),
]);

function withSpec(provider: SandboxProvider, extra: Partial<SandboxSpec>): SandboxProvider {
  return { name: provider.name, probe: () => provider.probe(), prepare: (spec) => provider.prepare({ ...spec, ...extra }) };
}

for (const { label, provider, before } of variants) {
  const probe = await provider.probe();
  if (!probe.available) {
    figures[label] = { available: false, reason: probe.detail };
    console.log(`${label.padEnd(18)} not available: ${probe.detail}`);
    continue;
  }
  await firstOutput(provider); // warm-up: page cache, JIT
  const first: number[] = [];
  const chunk: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await before?.();
    first.push(await firstOutput(provider));
    await before?.();
    const t = await stepTimes(provider);
    chunk.push(t.firstChunk);
    total.push(t.total);
  }
  const stat = (v: number[]): Stat => ({ p50: round(percentile(v, 50)), p95: round(percentile(v, 95)), p99: round(percentile(v, 99)) });
  figures[label] = { runs: RUNS, firstOutputMs: stat(first), firstLogChunkMs: stat(chunk), totalMs: stat(total) };
  console.log(
    `${label.padEnd(18)} first output p50 ${stat(first).p50} ms p95 ${stat(first).p95} ms p99 ${stat(first).p99} ms | first log chunk p50 ${stat(chunk).p50} ms p95 ${stat(chunk).p95} ms | echo step total p50 ${stat(total).p50} ms p95 ${stat(total).p95} ms  (${RUNS} runs)`,
  );
}
await warmQuotaVolumes.close();
console.log(JSON.stringify({ sandbox: figures }));
