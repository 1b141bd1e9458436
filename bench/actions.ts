/**
 * Benchmark `actions` (issue #14): the real-world corpus coverage — the workflows of
 * `realworld-actionlint-dataset` that Gantry accepts and plans with every `uses:` a step it can run, and each
 * refusal's reason. Readable figures first; last line one JSON object `{"actions":{...}}`.
 * Run: npm run bench -- actions [--update-doc]   (corpus: env GANTRY_CORPUS_DIR or ../shared/corpus)
 * `--update-doc` rewrites the refused list in docs/compatibility.md (a test keeps it equal to this measurement).
 *
 * Each figure comes from one measurement returning its part of the JSON; the resolve/prepare timings
 * (coldMs, warmMs) and claim-to-first-line (firstLineVsRunMs) join `MEASUREMENTS` as they arrive.
 */
import fs from "node:fs";
import { COMPATIBILITY_DOC, listedInDoc, measureCoverage, refusalsMarkdown } from "./lib/actions-coverage";

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

const MEASUREMENTS: Measurement[] = [coverage];

async function main(): Promise<void> {
  const figures: Figures = {};
  for (const measure of MEASUREMENTS) Object.assign(figures, await measure());
  console.log(JSON.stringify({ actions: figures }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
