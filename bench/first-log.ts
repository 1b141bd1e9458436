/**
 * Benchmark `first-log`: claim-to-first-log-line latency with a warm runner (issue #6; goal p50 < 150 ms with bwrap).
 * One runner agent, registered and long-polling its claim, on the bwrap provider, against the real runner routes,
 * worker, Postgres and Redis (bench/lib/runner-harness.ts). N one-step jobs (`run: echo first`), one at a time.
 * Per job, all wall-clock times taken in this one process:
 *   ready     — the job is in the pool's fair queue (advanceRun returned);
 *   claim     — the claim route answers with the assignment;
 *   sandbox   — the bwrap sandbox is prepared (provider.prepare resolved);
 *   firstByte — the chunk's first byte reached the runner's LogStream (the chunk's own timestamp);
 *   stored    — the logs route has answered `stored` for the first chunk holding the line `first`
 *               (LogChunk row inserted, gzip object written, Redis stream entry added).
 * `firstLog` = stored − claim (the figure); `readyToFirstLog` = stored − ready adds the claim long poll's
 * wait for the job (the claim route is woken when its pool gets work: @gantry/scheduler ready-signal). Last line:
 * one JSON object.
 * Run: npm run bench -- first-log   (env GANTRY_BENCH_RUNS, default 30; GANTRY_BENCH_PROVIDER=process where bwrap is missing)
 */
import { loadAverage, oneStep, startHarness, stat } from "./lib/runner-harness";

const RUNS = Number(process.env.GANTRY_BENCH_RUNS ?? 30);
const LINE = /^first$/m;

const harness = await startHarness();
try {
  const rows: { ready: number; claim: number; sandbox: number; firstByte: number; stored: number }[] = [];
  for (let i = -1; i < RUNS; i++) {
    const times = { claim: Number.NaN, sandbox: Number.NaN, firstByte: Number.NaN, stored: Number.NaN };
    harness.events.onClaim = (at) => void (times.claim = at);
    harness.events.onSandboxReady = (at) => void (times.sandbox = at);
    harness.events.onChunkStored = (chunk) => {
      if (Number.isNaN(times.stored) && LINE.test(chunk.data)) Object.assign(times, { stored: chunk.storedAt, firstByte: chunk.firstByteAt });
    };
    const { runId, readyAt } = await harness.enqueue(oneStep("echo first"));
    const { status } = await harness.finished(runId);
    if (status !== "SUCCEEDED") throw new Error(`job ${i} ended ${status}`);
    if (Number.isNaN(times.stored)) throw new Error(`job ${i}: no stored chunk held the line "first"`);
    // Run -1 warms the page cache and the JIT; it is not counted.
    if (i >= 0) rows.push({ ready: readyAt, ...times });
  }
  const of = (f: (r: (typeof rows)[number]) => number) => stat(rows.map(f));
  const figures = {
    runs: RUNS,
    provider: harness.provider,
    firstLogMs: of((r) => r.stored - r.claim),
    readyToFirstLogMs: of((r) => r.stored - r.ready),
    breakdownMs: {
      readyToClaim: of((r) => r.claim - r.ready),
      claimToSandboxReady: of((r) => r.sandbox - r.claim),
      sandboxReadyToFirstByte: of((r) => r.firstByte - r.sandbox),
      firstByteToStored: of((r) => r.stored - r.firstByte),
    },
    loadAverage: loadAverage(),
  };
  const line = (name: string, s: { p50: number; p99: number }) => console.log(`  ${name.padEnd(28)} p50 ${String(s.p50).padStart(7)} ms   p99 ${String(s.p99).padStart(7)} ms`);
  console.log(`first-log: ${RUNS} one-step jobs (echo first), one at a time, one warm runner on ${harness.provider}`);
  line("claim → first line stored", figures.firstLogMs);
  line("ready → first line stored", figures.readyToFirstLogMs);
  console.log("  breakdown:");
  line("  ready → claim returned", figures.breakdownMs.readyToClaim);
  line("  claim → sandbox ready", figures.breakdownMs.claimToSandboxReady);
  line("  sandbox → first byte", figures.breakdownMs.sandboxReadyToFirstByte);
  line("  first byte → chunk stored", figures.breakdownMs.firstByteToStored);
  console.log(`  goal: claim → first line p50 < 150 ms: ${figures.firstLogMs.p50 < 150 ? "met" : "missed"}   load average ${figures.loadAverage.join(" ")}`);
  console.log(JSON.stringify({ "first-log": figures }));
} finally {
  await harness.close();
}
