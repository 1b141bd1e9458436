import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileWorkflow, evaluateExpression, expandDynamicJob, parseWorkflow, validateProject } from "../src/index.js";
import type { WorkflowError } from "../src/index.js";
import { corpusDir, listYaml, prng } from "./corpus.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const here = path.dirname(fileURLToPath(import.meta.url));

function seeds(): string[] {
  const files = listYaml(path.join(here, "fixtures"));
  const c = corpusDir();
  if (c) files.push(...listYaml(path.join(c, "actionlint/testdata/ok")).slice(0, 40), ...listYaml(path.join(c, "actionlint/testdata/err")).slice(0, 40));
  return files.map((f) => fs.readFileSync(f, "utf8"));
}

const TOKENS = [":", "- ", "${{", "}}", "&a ", "*a", "<<: ", "'", '"', "\t", "\n", "  ", "{", "}", "[", "]", "#", "|", ">-", "!!str ", "---\n", "needs: x", "on: ", "matrix: ", "- run: ${{ github.event.*.body }}", "\\", "%", "\u0000", "💥"];

function mutate(src: string, rnd: () => number): string {
  let s = src;
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const op = Math.floor(rnd() * 5);
    if (op === 0) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 8));
    else if (op === 1) s = s.slice(0, at) + TOKENS[Math.floor(rnd() * TOKENS.length)] + s.slice(at);
    else if (op === 2) {
      const lines = s.split("\n");
      const a = Math.floor(rnd() * lines.length);
      lines.splice(Math.floor(rnd() * lines.length), 0, lines[a] ?? "");
      s = lines.join("\n");
    } else if (op === 3) s = s.slice(0, at);
    else {
      const lines = s.split("\n");
      const a = Math.floor(rnd() * lines.length);
      lines[a] = " ".repeat(Math.floor(rnd() * 6)) + (lines[a] ?? "").trimStart();
      s = lines.join("\n");
    }
  }
  return s;
}

const ATOMS = ["null", "true", "false", "0", "-1.5", "0x1F", "'s'", "''", "'a''b'", "github.event.x", "matrix.os", "env.A", "a.*.b", "a[0]", "a['k']", "fromJSON('[1,{\"a\":2}]')", "toJSON(a)"];
const BIN = ["==", "!=", "<", "<=", ">", ">=", "&&", "||"];
const FN = ["contains", "startsWith", "endsWith", "format", "join", "toJSON", "fromJSON", "success", "always", "failure", "cancelled", "hashFiles", "nope"];

function randExpr(rnd: () => number, depth = 0): string {
  const r = rnd();
  if (depth > 4 || r < 0.3) return ATOMS[Math.floor(rnd() * ATOMS.length)] ?? "null";
  if (r < 0.55) return `${randExpr(rnd, depth + 1)} ${BIN[Math.floor(rnd() * BIN.length)]} ${randExpr(rnd, depth + 1)}`;
  if (r < 0.65) return `!${randExpr(rnd, depth + 1)}`;
  if (r < 0.75) return `(${randExpr(rnd, depth + 1)})`;
  const args = Array.from({ length: Math.floor(rnd() * 4) }, () => randExpr(rnd, depth + 1));
  return `${FN[Math.floor(rnd() * FN.length)]}(${args.join(", ")})`;
}

function wellFormed(errors: WorkflowError[]): void {
  for (const e of errors) {
    expect(e.code).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(e.code).not.toBe("internal-error");
    expect(Number.isInteger(e.line) && e.line >= 0).toBe(true);
    expect(Number.isInteger(e.col) && e.col >= 0).toBe(true);
    expect(typeof e.message).toBe("string");
    expect(["error", "warning"]).toContain(e.severity);
  }
}

describe(`fuzz (seed ${SEED})`, () => {
  it("mutated workflows only ever produce structured errors", () => {
    const rnd = prng(SEED);
    const base = seeds();
    let n = 0;
    for (let i = 0; i < 2000; i++) {
      const src = mutate(base[Math.floor(rnd() * base.length)] ?? "", rnd);
      const p = parseWorkflow(src, "f.yml", { poolLabels: ["l"], secretNames: ["S"], maxTimeoutMinutes: 10 });
      wellFormed(p.errors);
      const c = compileWorkflow(src, "f.yml");
      wellFormed(c.errors);
      if (c.plan) expect(JSON.parse(JSON.stringify(c.plan))).toEqual(c.plan);
      n++;
    }
    expect(n).toBe(2000);
  });

  it("random byte strings", () => {
    const rnd = prng(SEED + 1);
    for (let i = 0; i < 1000; i++) {
      const s = Array.from({ length: Math.floor(rnd() * 200) }, () => String.fromCharCode(Math.floor(rnd() * 128))).join("");
      wellFormed(parseWorkflow(s, "r.yml").errors);
    }
  });

  it("random and mutated expressions evaluate totally", () => {
    const rnd = prng(SEED + 2);
    const ctx = { github: { event: { x: 1 } }, matrix: { os: "linux" }, env: { A: "1" }, a: [{ b: 1 }, { b: "2" }] };
    let ok = 0;
    for (let i = 0; i < 5000; i++) {
      let e = randExpr(rnd);
      if (rnd() < 0.3) e = mutate(e, rnd);
      const r = evaluateExpression(rnd() < 0.2 ? `x-\${{ ${e} }}` : e, ctx);
      expect(typeof r.ok).toBe("boolean");
      if (r.ok) {
        ok++;
        expect(() => JSON.stringify(r.value)).not.toThrow();
      } else expect(typeof r.error).toBe("string");
      // the same expression inside a workflow is validated without exceptions
      if (i % 10 === 0) wellFormed(parseWorkflow(`on: push\njobs:\n  a:\n    runs-on: l\n    steps:\n      - if: ${JSON.stringify(e)}\n        run: echo "\${{ ${e.replace(/"/g, "'")} }}"\n`, "e.yml").errors);
    }
    expect(ok).toBeGreaterThan(1000);
  });

  it("projects and run-time matrices never throw", () => {
    const rnd = prng(SEED + 3);
    const base = seeds();
    const pick = () => base[Math.floor(rnd() * base.length)] ?? "";
    for (let i = 0; i < 150; i++) {
      const files: Record<string, string> = {
        ".github/workflows/a.yml": mutate(pick(), rnd),
        ".github/workflows/b.yml": `on: push\njobs:\n  c:\n    uses: ./.github/workflows/a.yml\n    with: {x: 1}\n  d:\n    runs-on: l\n    steps:\n      - uses: ./act\n`,
        "act/action.yml": mutate("name: a\ninputs:\n  x: {required: true}\nruns:\n  using: composite\n  steps: []\n", rnd),
      };
      wellFormed(validateProject(files).errors);
    }
    const plan = compileWorkflow("on: push\njobs:\n  t:\n    runs-on: ${{ matrix.os }}\n    strategy:\n      matrix: ${{ fromJSON(github.event.m) }}\n    steps: [{run: x}]\n", "m.yml").plan;
    if (!plan) throw new Error("no plan");
    const values = [null, true, 0, -1, "s", "${{", [], {}, [1, [2]], { a: 1 }];
    for (let i = 0; i < 1000; i++) {
      const m: Record<string, unknown> = {};
      for (let k = 0; k < Math.floor(rnd() * 4); k++) {
        const key = ["os", "v", "include", "exclude", "x"][Math.floor(rnd() * 5)] ?? "x";
        m[key] = Array.from({ length: Math.floor(rnd() * 5) }, () => values[Math.floor(rnd() * values.length)]);
        if (rnd() < 0.2) m[key] = values[Math.floor(rnd() * values.length)];
      }
      const r = expandDynamicJob(plan, "t", { github: { event: { m: rnd() < 0.1 ? "{oops" : JSON.stringify(m) } } });
      expect(typeof r.ok).toBe("boolean");
      if (r.ok) expect(JSON.parse(JSON.stringify(r.plan))).toEqual(r.plan);
    }
  });
});
