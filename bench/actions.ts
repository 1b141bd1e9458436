/**
 * Benchmark `actions` (issue #14): the real-world corpus coverage — the workflows of
 * `realworld-actionlint-dataset` that Gantry accepts and plans with every `uses:` a step it can run, and each
 * refusal's reason. Readable figures first; last line one JSON object `{"actions":{...}}`.
 * Run: npm run bench -- actions [--update-doc]   (corpus: env GANTRY_CORPUS_DIR or ../shared/corpus)
 * `--update-doc` rewrites the refused list in docs/compatibility.md (a test keeps it equal to this measurement).
 *
 * Each figure comes from one measurement returning its part of the JSON: the coverage, then the timings of
 * bench/lib/actions-timing.ts — coldMs and warmMs (claim → setup-node's first line, its archive fetched for the first
 * time or cached by sha) and firstLineVsRunMs (warm minus a plain run: step's first line). `--coverage-only` skips
 * the timings. Env GANTRY_BENCH_COLD_RUNS (5), GANTRY_BENCH_RUNS (15).
 */
import fs from "node:fs";
import { COMPATIBILITY_DOC, listedInDoc, measureCoverage, refusalsMarkdown } from "./lib/actions-coverage";
import { measureActionTimings } from "./lib/actions-timing";

type Figures = Record<string, number | string | Record<string, number>>;
type Measurement = () => Promise<Figures>;

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

const coverage: Measurement = async () => {
  const result = measureCoverage();
  console.log(`real-world corpus: ${result.accepted} of ${result.total} workflows accepted and planned (${pct(result.accepted, result.total)}); goal 190`);
  console.log(`  of them ${result.withServices.length} declare services: (planned; no sandbox provider starts service containers yet): ${result.withServices.join(", ")}`);
  console.log(`  step uses: ${result.uses.native} native, ${result.uses["local-action"]} local, ${result.uses.remote} remote (${result.remoteActions.distinct} distinct actions), ${result.uses.docker} docker`);
  console.log(`  remote actions named most: ${result.remoteActions.top.map(([name, n]) => `${name} ${n}`).join(", ")}`);
  console.log(`  refused, by first error: ${Object.entries(result.byReason).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(", ") || "none"}`);
  if (Object.keys(result.byEvent).length) console.log(`  unsupported events named by refused workflows: ${Object.entries(result.byEvent).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([event, n]) => `${event} ${n}`).join(", ")}`);
  for (const r of result.refused) console.log(`  ${r.file}:${r.line}:${r.col}: ${r.message} [${r.code}]`);
  if (process.argv.includes("--update-doc")) {
    const doc = fs.readFileSync(COMPATIBILITY_DOC, "utf8");
    const listed = listedInDoc(doc);
    if (listed === undefined) throw new Error(`${COMPATIBILITY_DOC} has no refused-corpus markers`);
    fs.writeFileSync(COMPATIBILITY_DOC, doc.replace(listed, refusalsMarkdown(result)));
    console.log(`  wrote the refused list into ${COMPATIBILITY_DOC}`);
  }
  return { coverage: result.accepted, total: result.total, refused: result.refused.length, refusedByReason: result.byReason };
};

const timings: Measurement = async () => {
  const runs = { cold: Number(process.env.GANTRY_BENCH_COLD_RUNS ?? 5), warm: Number(process.env.GANTRY_BENCH_RUNS ?? 15) };
  const t = await measureActionTimings(runs);
  const line = (name: string, s: { p50: number; p99: number }) => console.log(`  ${name.padEnd(44)} p50 ${String(s.p50).padStart(7)} ms   p99 ${String(s.p99).padStart(7)} ms`);
  console.log(`remote action timings: claim → the action's first line, one warm runner on bwrap (${runs.cold} cold, ${runs.warm} warm jobs)`);
  line("cold (resolve, archive, download, unpack)", t.detail.cold);
  line("warm (archive cached by sha)", t.detail.warm);
  line("a plain run: step's first line, for comparison", t.detail.run);
  console.log(`  an action's first line comes ${t.firstLineVsRunMs} ms after a run: step's would (warm p50 − run p50)`);
  return { coldMs: t.coldMs, warmMs: t.warmMs, firstLineVsRunMs: t.firstLineVsRunMs, runMs: t.runMs };
};

// `--coverage-only`: the corpus figures without starting a platform (the docs' refused list uses this).
const MEASUREMENTS: Measurement[] = process.argv.includes("--coverage-only") || process.argv.includes("--update-doc") ? [coverage] : [coverage, timings];

async function main(): Promise<void> {
  const figures: Figures = {};
  for (const measure of MEASUREMENTS) Object.assign(figures, await measure());
  console.log(JSON.stringify({ actions: figures }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
