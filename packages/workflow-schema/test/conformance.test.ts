import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/compile.js";
import { matchTrigger, parseWorkflow, validateProject } from "../src/index.js";
import type { WorkflowError } from "../src/index.js";
import { corpusDir, corpusLookedIn, listYaml, readJson } from "./corpus.js";

const corpus = corpusDir();
if (!corpus) console.warn(`[workflow-schema] conformance test SKIPPED: no corpus at ${corpusLookedIn()} (set GANTRY_CORPUS_DIR)`);

const here = path.dirname(fileURLToPath(import.meta.url));
/** Codes listed in UNSUPPORTED.md: the deliberate gaps, excused on files GitHub accepts. */
const UNSUPPORTED = new Set([...fs.readFileSync(path.join(here, "../UNSUPPORTED.md"), "utf8").matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1] ?? ""));
const OVERLAP = ["syntax-check", "expression", "events", "job-needs", "matrix", "id", "glob"];

/** Floors measured on the corpus at commit time; raise them when the checker improves. */
const LINE_AGREEMENT_FLOOR = 0.985;
const SCHEMASTORE_AGREEMENT_FLOOR = 0.75;
const PROJECTS_FLOOR = 0.82;

/** Why we disagree with SchemaStore on a case (the schema checks shape only; GitHub checks more). */
const SCHEMASTORE_REASONS: Record<string, string> = {
  "1162.yaml": "schema snippet: a job without runs-on/steps; GitHub rejects it too",
  "2579-2.yaml": "schema snippet: a job without runs-on/steps; GitHub rejects it too",
  "concurrency.yaml": "schema snippet: jobs without runs-on/steps",
  "containers.yaml": "schema snippet: jobs without runs-on/steps",
  "environments.yaml": "schema snippet: jobs without runs-on/steps",
  "fail-fast.yaml": "schema snippet: jobs without runs-on/steps",
  "issue-3208.yaml": "schema snippet: a job without runs-on/steps",
  "env-with-simple-expression.yaml": "env: ${{ matrix.env }} where matrix.env is a list of strings; fails at run time on GitHub",
  "matrix_from_json.yaml": "uses needs.job1 without `needs: job1`; GitHub evaluates it to null",
  "matrix_include_expression.yaml": "uses needs.<id> without listing it in needs",
  "workflow_call_input_issue_2501.yaml": "reads inputs.config-path, which is not declared",
  "bad_pull_request_event_declaration.yaml": "unknown key in event configuration is a warning: GitHub-run real-world files have such typos",
  "workflow_dispatch-inputs-bool-default-.yaml": "default 'true' (string) for a boolean input: accepted, coerced like GitHub",
  "workflow_dispatch-inputs-string-default-bool.yaml": "default true (bool) for a string input: accepted, coerced to 'true'",
};

interface Expected { regex: boolean; line?: number; col?: number; kind?: string; text?: string; pattern?: string }
interface Case { file: string; expected: Expected[] }
interface Index { ok: { file: string }[]; err: Case[]; examples: Case[] }

const blocking = (errs: WorkflowError[]) => errs.filter((e) => e.severity === "error" && !UNSUPPORTED.has(e.code));

function table(rows: (string | number)[][]): string {
  const w = rows[0]?.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length))) ?? [];
  return rows.map((r) => r.map((c, i) => String(c).padEnd(w[i] ?? 0)).join("  ")).join("\n");
}

describe.skipIf(!corpus)("conformance with the shared corpus", () => {
  const root = corpus ?? "";
  const summary: (string | number)[][] = [["set", "files", "accepted", "rejected"]];
  const byCode = new Map<string, number>();

  it("UNSUPPORTED.md lists codes", () => expect(UNSUPPORTED.size).toBeGreaterThan(3));

  it("actionlint ok/ and real-world files validate and compile with no errors but listed unsupported features", () => {
    const idx = readJson(path.join(root, "actionlint/INDEX.json")) as Index;
    const sets: [string, string[]][] = [
      ["actionlint ok/", idx.ok.map((o) => path.join(root, "actionlint", o.file))],
      ["realworld", listYaml(path.join(root, "realworld-actionlint-dataset/workflows"))],
    ];
    const failures: string[] = [];
    for (const [name, files] of sets) {
      let accepted = 0;
      for (const f of files) {
        const { workflow, errors } = parseWorkflow(fs.readFileSync(f, "utf8"), path.basename(f));
        for (const e of errors) if (e.severity === "error") byCode.set(e.code, (byCode.get(e.code) ?? 0) + 1);
        const bad = blocking(errors);
        if (bad.length === 0 && workflow) {
          const plan = compile(workflow);
          expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
          accepted++;
        } else failures.push(...bad.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message} [${e.code}]`));
      }
      summary.push([name, files.length, accepted, files.length - accepted]);
    }
    if (failures.length) console.warn(`unexpected errors on valid files:\n${failures.join("\n")}`);
    expect(failures).toEqual([]);
  });

  it(`actionlint err/ and examples/: an error at each expected line for overlapping kinds (floor ${LINE_AGREEMENT_FLOOR})`, () => {
    const idx = readJson(path.join(root, "actionlint/INDEX.json")) as Index;
    const perKind = new Map<string, { total: number; line: number; col: number }>();
    const misses: string[] = [];
    for (const c of [...idx.err, ...idx.examples]) {
      const { errors } = parseWorkflow(fs.readFileSync(path.join(root, "actionlint", c.file), "utf8"), "test.yaml");
      for (const x of c.expected) {
        if (!x.kind || !OVERLAP.includes(x.kind) || x.line === undefined) continue;
        const k = perKind.get(x.kind) ?? { total: 0, line: 0, col: 0 };
        k.total++;
        const yamlFail = x.line === 0 && errors.some((e) => e.code.startsWith("yaml"));
        const atLine = errors.filter((e) => e.line === x.line);
        if (atLine.length || yamlFail) k.line++;
        else misses.push(`${path.basename(c.file)}: ${x.text ?? x.pattern}`);
        if (yamlFail || atLine.some((e) => x.col === undefined || e.col === x.col)) k.col++;
        perKind.set(x.kind, k);
      }
    }
    const rows: (string | number)[][] = [["kind", "expected", "line agrees", "line %", "col agrees"]];
    let total = 0;
    let hit = 0;
    for (const [kind, k] of [...perKind].sort()) {
      rows.push([kind, k.total, k.line, ((k.line / k.total) * 100).toFixed(1), k.col]);
      total += k.total;
      hit += k.line;
    }
    rows.push(["ALL", total, hit, ((hit / total) * 100).toFixed(1), [...perKind.values()].reduce((a, k) => a + k.col, 0)]);
    console.log(`\nactionlint line-level agreement (overlapping kinds)\n${table(rows)}\n\nmissed expected errors (${misses.length}):\n${misses.join("\n")}`);
    expect(total).toBeGreaterThan(400);
    expect(hit / total).toBeGreaterThanOrEqual(LINE_AGREEMENT_FLOOR);
  });

  it(`SchemaStore positive cases are accepted and negative ones rejected (floor ${SCHEMASTORE_AGREEMENT_FLOOR})`, () => {
    const idx = readJson(path.join(root, "schemastore/INDEX.json")) as { cases: { schema: string; file: string; expect: "valid" | "invalid" }[] };
    const cases = idx.cases.filter((c) => c.schema === "github-workflow");
    const disagreements: string[] = [];
    let agree = 0;
    for (const c of cases) {
      const { errors } = parseWorkflow(fs.readFileSync(path.join(root, "schemastore", c.file), "utf8"), path.basename(c.file));
      const rejected = c.expect === "valid" ? blocking(errors).length > 0 : errors.some((e) => e.severity === "error");
      const ok = c.expect === "valid" ? !rejected : rejected;
      if (ok) agree++;
      else {
        const found = rejected ? ` (${blocking(errors).slice(0, 4).map((e) => `${e.line}:${e.col} ${e.code}`).join(", ")})` : "";
        disagreements.push(`${c.expect === "valid" ? "positive rejected" : "negative accepted"}: ${c.file}${found} — ${SCHEMASTORE_REASONS[path.basename(c.file)] ?? "NO REASON RECORDED"}`);
      }
    }
    summary.push(["schemastore", cases.length, agree, cases.length - agree]);
    console.log(`\nSchemaStore: ${agree}/${cases.length} agree\n${disagreements.join("\n")}`);
    expect(agree / cases.length).toBeGreaterThanOrEqual(SCHEMASTORE_AGREEMENT_FLOOR);
    expect(disagreements.filter((d) => d.endsWith("NO REASON RECORDED"))).toEqual([]);
  });

  it("act workflows load without internal errors", () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e.name) && p.includes(`${path.sep}workflows${path.sep}`) || /push\.yml$|pull_request\.yml$|workflow_dispatch\.yml$/.test(e.name)) files.push(p);
      }
    };
    walk(path.join(root, "act"));
    let accepted = 0;
    for (const f of files) {
      const { errors } = parseWorkflow(fs.readFileSync(f, "utf8"), path.basename(f));
      expect(errors.filter((e) => e.code === "internal-error")).toEqual([]);
      if (blocking(errors).length === 0) accepted++;
    }
    summary.push(["act (parse only)", files.length, accepted, files.length - accepted]);
    expect(files.length).toBeGreaterThan(50);
  });

  it(`actionlint projects/: multi-file checks (reusable workflows, local actions) at each expected line (floor ${PROJECTS_FLOOR})`, () => {
    const idx = readJson(path.join(root, "actionlint/INDEX.json")) as { projects: { project: string; expected: Expected[] }[] };
    let total = 0;
    let hit = 0;
    const misses: string[] = [];
    const falsePositives: string[] = [];
    for (const p of idx.projects) {
      const dir = path.join(root, "actionlint", p.project);
      const files: Record<string, string> = {};
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const f = path.join(d, e.name);
          if (e.isDirectory()) walk(f);
          else files[path.relative(dir, f).split(path.sep).join("/")] = fs.readFileSync(f, "utf8");
        }
      };
      walk(dir);
      const { errors } = validateProject(files, {}, ["workflows"]);
      if (p.expected.length === 0) falsePositives.push(...blocking(errors).map((e) => `${p.project}/${e.file}:${e.line}: ${e.message} [${e.code}]`));
      for (const x of p.expected) {
        if (x.line === undefined) continue;
        total++;
        if (errors.some((e) => e.line === x.line)) hit++;
        else misses.push(`${path.basename(p.project)}: ${x.text ?? x.pattern}`);
      }
    }
    console.log(`\nactionlint projects: ${hit}/${total} expected lines (${((hit / total) * 100).toFixed(1)}%)\nmissed:\n${misses.join("\n")}`);
    expect(falsePositives).toEqual([]);
    expect(hit / total).toBeGreaterThanOrEqual(PROJECTS_FLOOR);
  });

  it("act planner expectations (issue-1595, basic, invalid-job-name, empty-workflow)", () => {
    const read = (p: string) => fs.readFileSync(path.join(root, "act", p), "utf8");
    const codesOf = (p: string) => parseWorkflow(read(p), path.basename(p)).errors.filter((e) => e.severity === "error").map((e) => e.code);
    // act: "unable to build dependency graph" → we name the missing job
    expect(codesOf("pkg/runner/testdata/issue-1595/missing.yml")).toContain("unknown-needs");
    expect(codesOf("pkg/runner/testdata/issue-1595/no-first.yml")).toContain("unknown-needs");
    // act plans nothing for a file without events; GitHub rejects it, and so do we
    expect(codesOf("pkg/runner/testdata/issue-1595/no-event.yml")).toEqual(["missing-key"]);
    expect(codesOf("pkg/model/testdata/invalid-job-name/invalid-1.yml")).toEqual(["invalid-job-id"]);
    expect(codesOf("pkg/model/testdata/invalid-job-name/invalid-2.yml")).toEqual(["invalid-job-id"]);
    expect(codesOf("pkg/model/testdata/invalid-job-name/valid-1.yml")).toEqual([]);
    expect(codesOf("pkg/model/testdata/invalid-job-name/valid-2.yml")).toEqual([]);
    expect(codesOf("pkg/model/testdata/empty-workflow/push.yml")).toEqual(["empty-workflow"]);
    // basic: 3 stages check → build → test for push, nothing for release
    const { workflow } = parseWorkflow(read("pkg/runner/testdata/basic/push.yml"), "push.yml");
    if (!workflow) throw new Error("basic did not parse");
    const plan = compile(workflow);
    const stages: string[][] = [];
    const done = new Set<string>();
    while (done.size < plan.jobs.length) {
      const ready = plan.jobs.filter((j) => !done.has(j.key) && j.needs.every((n) => done.has(n))).map((j) => j.key);
      if (ready.length === 0) throw new Error("cycle in plan");
      ready.forEach((k) => done.add(k));
      stages.push(ready);
    }
    expect(stages).toEqual([["check"], ["build"], ["test"]]);
    expect(matchTrigger(workflow, { name: "push", branch: "main" })).toBe(true);
    expect(matchTrigger(workflow, { name: "release", action: "published" })).toBe(false);
  });

  it("prints the summary", () => {
    const codes = [...byCode].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}=${n}`).join(", ");
    console.log(`\nconformance summary\n${table(summary)}\nerrors on valid files by code (excused): ${codes}`);
    expect(summary.length).toBeGreaterThan(1);
  });
});
