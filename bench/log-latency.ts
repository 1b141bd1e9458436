/**
 * Benchmark `log-latency`: a runner's log path end to end (issue #6; goal throughput ≥ 50 MB/s per runner without
 * loss), one warm runner agent on bwrap, in a process of its own as deployed, against the real runner routes,
 * worker, Postgres and Redis (bench/lib/runner-harness.ts).
 *   (a) throughput: one job prints GANTRY_BENCH_LOG_MB MiB (default 60, under the 64 MiB per-job cap) of fixed
 *       lines (`yes … | head -c`; yes's SIGPIPE forgiven under pipefail). MB/s = bytes printed / (last chunk stored − first chunk's first byte at the
 *       runner). Lossless: the archive (every stored chunk, gunzipped, in order) must hold the printed bytes exactly.
 *   (b) latency: one job prints a line every 100 ms, each carrying its print time (`date +%s%N`); per line,
 *       print → the logs route has stored the chunk holding it (LogChunk row, object, Redis stream entry).
 * Last line: one JSON object.
 * Run: npm run bench -- log-latency   (env GANTRY_BENCH_LOG_MB, GANTRY_BENCH_LINES default 50)
 */
import { loadAverage, oneStep, round, startHarness, stat, type StoredChunk } from "./lib/runner-harness";

const MIB = 1024 * 1024;
const LOG_BYTES = Math.round(Number(process.env.GANTRY_BENCH_LOG_MB ?? 60) * MIB);
const LINES = Number(process.env.GANTRY_BENCH_LINES ?? 50);
const PATTERN = "gantry log throughput 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ";

const harness = await startHarness({ runnerProcess: true });
try {
  // (a) throughput
  const chunks: StoredChunk[] = [];
  harness.events.onChunkStored = (chunk) => void chunks.push(chunk);
  const big = await harness.enqueue(oneStep(`(yes '${PATTERN}' || true) | head -c ${LOG_BYTES}`));
  const bigEnd = await harness.finished(big.runId, 600_000);
  if (bigEnd.status !== "SUCCEEDED") throw new Error(`the throughput job ended ${bigEnd.status}`);
  const archived = await harness.archived(bigEnd.attemptId);
  const printed = `${PATTERN}\n`.repeat(Math.ceil(LOG_BYTES / (PATTERN.length + 1))).slice(0, LOG_BYTES);
  const at = archived.indexOf(printed);
  const lossless = at >= 0 && archived.indexOf(printed, at + 1) < 0;
  // One entry per logs request (a big request reports its first chunk only); in seq order, each request's chunk
  // count is the gap to the next one's first seq.
  const requests = chunks.filter((c, i) => chunks[i + 1]?.storedAt !== c.storedAt).sort((a, b) => a.seq - b.seq);
  const chunkCount = (c: StoredChunk, i: number) => c.requestChunks ?? (requests[i + 1]?.seq ?? c.seq + 1) - c.seq;
  const seconds = (Math.max(...chunks.map((c) => c.storedAt)) - Math.min(...chunks.map((c) => c.firstByteAt))) / 1000;
  const throughput = {
    bytesPrinted: LOG_BYTES,
    bytesArchived: Buffer.byteLength(archived),
    printedBytesFoundInArchive: lossless,
    chunks: requests.reduce((sum, c, i) => sum + chunkCount(c, i), 0),
    seconds: round(seconds),
    mbPerSecond: round(LOG_BYTES / 1e6 / seconds),
    // Where the time goes: per logs request (a batch of chunks), the route itself against the gap between two requests.
    perRequest: {
      requests: requests.length,
      chunks: stat(requests.map(chunkCount)),
      routeMs: stat(requests.map((c) => c.routeMs)),
      betweenStoredMs: stat(requests.slice(1).map((c, i) => c.storedAt - (requests[i]?.storedAt ?? 0))),
    },
  };

  // (b) latency
  const perLine: number[] = [];
  harness.events.onChunkStored = (chunk) => {
    for (const match of chunk.data.matchAll(/^tick \d+ (\d+)$/gm)) perLine.push(chunk.storedAt - Number(match[1]) / 1e6);
  };
  const ticks = await harness.enqueue(oneStep(`for i in $(seq 1 ${LINES}); do echo "tick $i $(date +%s%N)"; sleep 0.1; done`));
  const ticksEnd = await harness.finished(ticks.runId, 120_000);
  if (ticksEnd.status !== "SUCCEEDED") throw new Error(`the latency job ended ${ticksEnd.status}`);
  if (perLine.length !== LINES) throw new Error(`stored ${perLine.length} tick lines of ${LINES}`);
  const latency = { lines: LINES, printToStoredMs: stat(perLine), maxMs: round(Math.max(...perLine)) };

  const figures = { provider: "bwrap", throughput, latency, loadAverage: loadAverage() };
  console.log(`log-latency: one warm runner on bwrap (its own process)`);
  console.log(
    `  throughput: ${(LOG_BYTES / MIB).toFixed(0)} MiB printed in ${throughput.chunks} chunks, ${throughput.seconds} s first byte → last chunk stored: ${throughput.mbPerSecond} MB/s (goal ≥ 50: ${throughput.mbPerSecond >= 50 ? "met" : "missed"})`,
  );
  const perRequest = throughput.perRequest;
  console.log(
    `  requests:   ${perRequest.requests} logs requests of p50 ${perRequest.chunks.p50} chunks; route p50 ${perRequest.routeMs.p50} ms p99 ${perRequest.routeMs.p99} ms; stored → next stored p50 ${perRequest.betweenStoredMs.p50} ms p99 ${perRequest.betweenStoredMs.p99} ms`,
  );
  console.log(`  lossless:   archive ${throughput.bytesArchived} bytes (printed ${LOG_BYTES} plus the step's own lines); printed bytes found intact: ${lossless ? "yes" : "NO"}`);
  console.log(`  latency:    ${LINES} lines 100 ms apart, print → chunk stored p50 ${latency.printToStoredMs.p50} ms, p99 ${latency.printToStoredMs.p99} ms, max ${latency.maxMs} ms`);
  console.log(`  load average ${figures.loadAverage.join(" ")}`);
  console.log(JSON.stringify({ "log-latency": figures }));
  if (!lossless) process.exitCode = 1;
} finally {
  await harness.close();
}
