/**
 * Real-world coverage: of the 201 workflows in `realworld-actionlint-dataset` (shared corpus), how many Gantry
 * accepts and plans — validated and compiled without an error, every `uses:` a step it can run (a native action, a
 * local action, or a remote JavaScript/composite `owner/repo[/path]@ref`) — and why each other one is refused.
 * Used by `npm run bench -- actions` and by the test that keeps docs/compatibility.md's list equal to the truth.
 *
 * The tenant is the default one: every action allowed, no pool labels or secret names to check against (those
 * depend on the installation, not on what Gantry can run).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { classifyUses, compileWorkflow, parseWorkflow, type UsesKind, type WorkflowError } from "@gantry/workflow-schema";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const REALWORLD = "realworld-actionlint-dataset";

/** The shared corpus: GANTRY_CORPUS_DIR, else `../shared/corpus` beside the repository (or beside its worktree folder). */
export function findCorpus(): string | undefined {
  const candidates = [process.env.GANTRY_CORPUS_DIR, path.resolve(repoRoot, "../shared/corpus"), path.resolve(repoRoot, "../../shared/corpus")];
  return candidates.find((dir): dir is string => !!dir && fs.existsSync(path.join(dir, REALWORLD, "workflows")));
}

export interface Refusal {
  /** The corpus file name (`<owner>_<repo>_.github_workflows_<file>`). */
  file: string;
  /** The first error, as Gantry reports it: its rule and message, at its line and column. */
  code: string;
  message: string;
  line: number;
  col: number;
  /** How many errors the file has in all. */
  errors: number;
}

export interface Coverage {
  total: number;
  /** Accepted and planned, every `uses:` runnable. */
  accepted: number;
  refused: Refusal[];
  /** Accepted workflows with a job that declares `services:` (planned, but no sandbox provider starts them yet). */
  withServices: string[];
  /** Refused workflows per first-error rule. */
  byReason: Record<string, number>;
  /** Refused workflows per unsupported event, counting every event a refused workflow names. */
  byEvent: Record<string, number>;
  /** Every step `uses:` of the corpus by kind; and the remote actions named most, with their counts. */
  uses: Record<UsesKind, number>;
  remoteActions: { distinct: number; top: [string, number][] };
}

const RUNNABLE: ReadonlySet<UsesKind> = new Set(["native", "local-action", "remote"]);

/** Every step's `uses:` in the typed workflow (also of a refused one, as far as it parsed), with its position. */
function stepUses(source: string, file: string): { uses: string; line: number; col: number }[] {
  return (parseWorkflow(source, file).workflow?.jobs ?? []).flatMap((job) => job.steps.flatMap((step) => (step.uses ? [{ uses: step.uses.value, ...step.uses.pos }] : [])));
}

function firstError(errors: WorkflowError[]): WorkflowError | undefined {
  return errors.find((e) => e.severity === "error");
}

export function measureCoverage(corpus = findCorpus()): Coverage {
  if (!corpus) throw new Error(`the shared corpus is not found: set GANTRY_CORPUS_DIR (looked beside ${repoRoot})`);
  const dir = path.join(corpus, REALWORLD, "workflows");
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const refused: Refusal[] = [];
  const withServices: string[] = [];
  const byReason: Record<string, number> = {};
  const byEvent: Record<string, number> = {};
  const uses: Record<UsesKind, number> = { native: 0, "local-action": 0, remote: 0, docker: 0 };
  const remote = new Map<string, number>();
  for (const file of files) {
    const source = fs.readFileSync(path.join(dir, file), "utf8");
    const named = stepUses(source, file);
    for (const u of named) {
      const kind = classifyUses(u.uses);
      uses[kind] += 1;
      const name = u.uses.split("@")[0]?.toLowerCase() ?? u.uses;
      if (kind === "remote") remote.set(name, (remote.get(name) ?? 0) + 1);
    }
    const { plan, errors } = compileWorkflow(source, file);
    let first = firstError(errors);
    // Belt and braces: an accepted workflow with a step Gantry could not run would be a validator bug, counted as refused.
    const unrunnable = named.find((u) => u.uses.includes("${{") || !RUNNABLE.has(classifyUses(u.uses)));
    if (!first && unrunnable) first = { file, line: unrunnable.line, col: unrunnable.col, code: "unrunnable-uses", message: `"${unrunnable.uses}" is accepted but is no step Gantry runs`, severity: "error" };
    if (!first && !plan) first = { file, line: 0, col: 0, code: "no-plan", message: "no error and no plan", severity: "error" };
    if (!first) {
      if (plan?.jobs.some((job) => job.services?.length)) withServices.push(file);
      continue;
    }
    refused.push({ file, code: first.code, message: first.message, line: first.line, col: first.col, errors: errors.filter((e) => e.severity === "error").length });
    byReason[first.code] = (byReason[first.code] ?? 0) + 1;
    const events = new Set(errors.filter((e) => e.code === "unsupported-event").flatMap((e) => [.../event "([^"]+)"/.exec(e.message)?.slice(1, 2) ?? []]));
    for (const event of events) byEvent[event] = (byEvent[event] ?? 0) + 1;
  }
  const top = [...remote].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10);
  return { total: files.length, accepted: files.length - refused.length, refused, withServices, byReason, byEvent, uses, remoteActions: { distinct: remote.size, top } };
}

export const COMPATIBILITY_DOC = path.join(repoRoot, "docs/compatibility.md");
export const LIST_START = "<!-- refused-corpus:start (written by `npm run bench -- actions --update-doc`; a test checks it) -->";
export const LIST_END = "<!-- refused-corpus:end -->";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

const tally = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .map(([name, n]) => `\`${name}\` ${n}`)
    .join(", ");

/** The block of docs/compatibility.md that gives the figures and lists the refused corpus workflows, exactly as it must read. */
export function refusalsMarkdown(coverage: Coverage): string {
  const rows = coverage.refused.map((r) => `| \`${r.file}\` | ${r.line}:${r.col} | \`${r.code}\` | ${cell(r.message)} |`);
  return [
    LIST_START,
    `Gantry accepts and plans **${coverage.accepted} of ${coverage.total}** real-world workflows. It refuses ${coverage.refused.length}, by the rule of their first error: ${tally(coverage.byReason) || "none"}.`,
    ...(Object.keys(coverage.byEvent).length ? ["", `Events the refused workflows name that Gantry does not take (a workflow may name several): ${tally(coverage.byEvent)}.`] : []),
    ...(coverage.withServices.length ? ["", `Of the accepted ones, ${coverage.withServices.length} declare \`services:\`, which are planned but not started by any sandbox provider yet: ${coverage.withServices.map((f) => `\`${f}\``).join(", ")}.`] : []),
    "",
    "| workflow | at | rule | first error |",
    "| --- | --- | --- | --- |",
    ...rows,
    LIST_END,
  ].join("\n");
}

/** The listed block as it is in the doc now; undefined when the markers are missing. */
export function listedInDoc(doc: string): string | undefined {
  const start = doc.indexOf(LIST_START);
  const end = doc.indexOf(LIST_END);
  return start >= 0 && end > start ? doc.slice(start, end + LIST_END.length) : undefined;
}
