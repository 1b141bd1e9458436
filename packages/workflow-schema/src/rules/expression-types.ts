import { Binary, ContextAccess, FunctionCall, Grouping, IndexAccess, Literal, Logical, Star, Unary } from "@actions/expressions/ast";
import type { Expr } from "@actions/expressions";
import { Kind } from "@actions/expressions/data/expressiondata";
import { TokenType } from "@actions/expressions/lexer";
import type { Token } from "@actions/expressions/lexer";
import type { Pos } from "../errors";
import type { ParsedExpr } from "../expr/collect";
import { AVAILABILITY } from "../expr/availability";
import { githubType, JOB_TYPE, RUNNER_TYPE, STRATEGY_TYPE, inputsType, jobsType, matrixType, needsType, secretsType, stepsType } from "../expr/contexts";
import { ANY, BOOL, NULL, NUMBER, STRING, arr, mapOf, merge, obj, propType, tyString } from "../expr/types";
import type { Ty } from "../expr/types";
import type { Rule, RuleContext } from "./rule";

const CODE_BY_ROOT: Record<string, string> = {
  needs: "needs-not-depended",
  steps: "unknown-step-ref",
  inputs: "unknown-input",
  secrets: "undefined-secret",
  matrix: "unknown-matrix-key",
};

/** Keys whose value may be an object or array produced by `${{ }}`. */
const OBJECT_OK = ["job-runs-on", "job-strategy", "job-container", "job-container-credentials", "job-services", "job-services-credentials", "job-environment", "job-secrets", "job-with"];

const SOFT_ROOTS = ["steps", "matrix"];

const FUNC_TYPES: Record<string, Ty> = {
  contains: BOOL, startswith: BOOL, endswith: BOOL, format: STRING, join: STRING, tojson: STRING, fromjson: ANY,
  hashfiles: STRING, always: BOOL, success: BOOL, failure: BOOL, cancelled: BOOL, case: ANY,
};

/** Type-checks context access, context availability and special-function availability. */
export const expressionTypes: Rule = (c) => {
  const types = new ContextTypes(c);
  for (const p of c.exprs) {
    const t = new Checker(c, p, types.get(p)).check(p.expr);
    const inp = p.site.input;
    const want = inp?.type === "boolean" ? "bool" : inp?.type === "number" ? "number" : undefined;
    if (inp && want && p.whole && t.k !== "any" && t.k !== want) {
      c.sink.error(p.site.node.pos, "expression-type", `type of input "${inp.name}" must be ${want} but found type ${tyString(t)}`);
    }
    const exp = p.site.expect;
    if (p.whole && exp && t.k !== "any" && t.k !== "null") {
      const okType = exp === "object" ? t.k === "object" : t.k !== "object";
      if (!okType) {
        const pos = p.at(0, 0);
        c.sink.error({ line: pos.line, col: Math.max(1, pos.col - 3) }, "expression-type", `type of expression at "${p.site.section ?? ""}" must be ${exp === "object" ? "object" : "string or array"} but found type ${tyString(t)}`);
      }
      continue;
    }
    if (!p.site.condition && !OBJECT_OK.includes(p.site.where) && !(p.whole && p.site.where.endsWith("-env")) && (t.k === "object" || t.k === "array" || t.k === "null")) {
      const pos = p.at(0, 0);
      c.sink.error(
        { line: pos.line, col: Math.max(1, pos.col - 3) },
        "expression-object-in-template",
        `object, array, and null values should not be evaluated in template with \${{ }} but evaluating the value of type ${tyString(t)}`,
      );
    }
  }
};

/** Context types, computed once per workflow, once per job, and per step for `steps`. */
class ContextTypes {
  private workflow?: Record<string, Ty>;
  private readonly jobs = new Map<string, { matrix: Ty; needs: Ty }>();
  private readonly full = new Map<string, Record<string, Ty>>();

  constructor(private readonly c: RuleContext) {}

  get(p: ParsedExpr): Record<string, Ty> {
    if (p.site.inputsBefore) {
      const inputs = obj(Object.fromEntries(p.site.inputsBefore.map((i) => [i.name, i.type === "boolean" ? BOOL : i.type === "number" ? NUMBER : i.type === "string" ? STRING : ANY])));
      return { ...this.get({ ...p, site: { ...p.site, inputsBefore: undefined } }), inputs };
    }
    const key = `${p.site.jobId ?? ""}#${p.site.stepIndex ?? ""}`;
    const hit = this.full.get(key);
    if (hit) return hit;
    const { c } = this;
    this.workflow ??= {
      github: githubType(c.wf), env: mapOf(STRING), vars: mapOf(STRING), secrets: secretsType(c.wf, c.tenant.secretNames),
      inputs: inputsType(c.wf), job: JOB_TYPE, jobs: jobsType(c.wf), runner: RUNNER_TYPE, strategy: STRATEGY_TYPE,
    };
    const job = p.site.jobId !== undefined ? c.wf.jobs.find((j) => j.id === p.site.jobId) : undefined;
    let perJob = job ? this.jobs.get(job.id) : undefined;
    if (job && !perJob) {
      perJob = { matrix: matrixType(job), needs: needsType(c.wf, job, c.callOutputs) };
      this.jobs.set(job.id, perJob);
    }
    const out = {
      ...this.workflow,
      matrix: perJob?.matrix ?? mapOf(ANY),
      needs: perJob?.needs ?? mapOf(ANY),
      steps: job ? stepsType(job, p.site.stepIndex, c.actionOutputs) : mapOf(ANY),
    };
    this.full.set(key, out);
    return out;
  }
}

class Checker {
  private readonly avail;
  constructor(
    private readonly c: RuleContext,
    private readonly p: ParsedExpr,
    private readonly env: Record<string, Ty>,
  ) {
    this.avail = AVAILABILITY[p.site.where];
  }

  check(e: Expr): Ty {
    if (e instanceof Literal) {
      if (e.literal.kind === Kind.Null) return NULL;
      if (e.literal.kind === Kind.Boolean) return BOOL;
      if (e.literal.kind === Kind.Number) return NUMBER;
      return STRING;
    }
    if (e instanceof Unary) {
      this.check(e.expr);
      return BOOL;
    }
    if (e instanceof Binary) {
      this.compare(e, this.check(e.left), this.check(e.right));
      return BOOL;
    }
    if (e instanceof Logical) return merge(e.args.map((a) => this.check(a)));
    if (e instanceof Grouping) return this.check(e.group);
    if (e instanceof ContextAccess) return this.context(e);
    if (e instanceof IndexAccess) return this.index(e);
    if (e instanceof FunctionCall) return this.call(e);
    return ANY;
  }

  /** `==`/`!=` cannot compare objects or arrays; `<`-like operators need numbers or strings. */
  private compare(e: Binary, l: Ty, r: Ty): void {
    const op = e.operator.lexeme;
    const ordering = op !== "==" && op !== "!=";
    const composite = (t: Ty): boolean => t.k === "object" || t.k === "array";
    let bad: boolean;
    if (ordering) bad = [l, r].some((t) => composite(t) || t.k === "null" || t.k === "bool");
    else if (l.k === "any" || r.k === "any" || l.k === "null" || r.k === "null") bad = false;
    else if (l.k === "array" && r.k === "array") bad = l.elem.k !== "any" && r.elem.k !== "any" && l.elem.k !== r.elem.k;
    else bad = (composite(l) || composite(r)) && l.k !== r.k;
    if (bad) {
      const pos = this.start(e.left);
      this.c.sink.error(pos, "invalid-comparison", `"${tyString(l)}" value cannot be compared to "${tyString(r)}" value with "${op}" operator`);
    }
  }

  /** Position of the first token of `e` (actionlint points errors at the start of the expression). */
  private start(e: Expr): Pos {
    const t = firstToken(e);
    return t ? this.p.at(t.range.start.line, t.range.start.column) : this.p.at(0, 0);
  }

  private context(e: ContextAccess): Ty {
    const name = e.name.lexeme.toLowerCase();
    if (!this.avail.contexts.includes(name)) {
      const pos = this.p.at(e.name.range.start.line, e.name.range.start.column);
      const list = this.avail.contexts.length
        ? `available contexts are ${[...this.avail.contexts].sort().map((x) => `"${x}"`).join(", ")}`
        : "no context is available here";
      this.c.sink.error(pos, "context-not-allowed", `context "${name}" is not allowed here. ${list}. see https://docs.github.com/en/actions/learn-github-actions/contexts#context-availability for more details`);
      return ANY;
    }
    return this.env[name] ?? ANY;
  }

  private index(e: IndexAccess): Ty {
    const base = this.check(e.expr);
    if (e.index instanceof Star) {
      if (base.k === "array") return arr(base.elem);
      if (base.k === "object") return arr(merge([...Object.values(base.props), ...(base.strict ? [] : [base.elem])]));
      return arr(ANY);
    }
    if (e.index instanceof Literal && e.index.literal.kind !== Kind.String && base.k === "object") {
      const pos = this.start(e);
      this.c.sink.error(pos, "expression-type", `property access of object must be type of string but got "${e.index.literal.kind === Kind.Number ? "number" : e.index.literal.kind === Kind.Boolean ? "bool" : "null"}"`);
      return ANY;
    }
    if (e.index instanceof Literal && e.index.literal.kind === Kind.String && e.index.token.type === TokenType.STRING && base.k === "array") {
      const pos = this.start(e);
      this.c.sink.error(pos, "expression-type", `index access of array must be type of number but got "string"`);
      return ANY;
    }
    if (!(e.index instanceof Literal) || e.index.literal.kind !== Kind.String) {
      const it = this.check(e.index);
      if (base.k === "object" && (it.k === "bool" || it.k === "number")) {
        this.c.sink.error(this.start(e), "expression-type", `property access of object must be type of string but got "${it.k}"`);
        return ANY;
      }
      if (base.k === "array") return base.elem;
      if (base.k === "object") return base.strict ? merge(Object.values(base.props)) : base.elem;
      return ANY;
    }
    const prop = e.index.literal.coerceString();
    if (base.k === "array") {
      // property of a filtered array: map over the elements
      const t = base.elem.k === "object" ? propType(base.elem, prop) : ANY;
      return arr(t ?? ANY);
    }
    if (base.k === "string" || base.k === "number" || base.k === "bool") {
      const pos = this.start(e);
      this.c.sink.error(pos, "expression-type", `receiver of object dereference "${prop}" must be type of object but got "${base.k}"`);
      return ANY;
    }
    const t = propType(base, prop);
    if (t === undefined) {
      const root = rootName(e);
      const pos = this.start(e);
      const code = (root && CODE_BY_ROOT[root] && e.expr instanceof ContextAccess ? CODE_BY_ROOT[root] : undefined) ?? "unknown-property";
      let msg = `property "${prop}" is not defined in object type ${tyString(base)}`;
      if (root === "needs" && e.expr instanceof ContextAccess) msg += `. job "${this.p.site.jobId ?? ""}" must list "${prop}" in its "needs" to use its outputs`;
      if (root === "secrets" && e.expr instanceof ContextAccess) msg = `secret "${prop}" is not defined for this repository. defined secrets are ${Object.keys(base.k === "object" ? base.props : {}).sort().map((x) => `"${x}"`).join(", ")}`;
      // GitHub evaluates a missing step or matrix property to null; a likely bug, but not fatal.
      this.c.sink.push(pos, code, msg, root && SOFT_ROOTS.includes(root) ? "warning" : "error");
      return ANY;
    }
    return t;
  }

  private call(e: FunctionCall): Ty {
    const args = e.args.map((a) => this.check(a));
    const name = e.functionName.lexeme;
    const lower = name.toLowerCase();
    const fnPos = this.p.at(e.functionName.range.start.line, e.functionName.range.start.column);
    const first = e.args[0];
    const lit = first instanceof Literal && first.literal.kind === Kind.String ? first.literal.coerceString() : undefined;
    const composite = (t: Ty | undefined): boolean => t?.k === "object" || t?.k === "array";
    const badArg = (i: number, want: string): void => {
      const a = e.args[i];
      this.c.sink.error(a ? this.start(a) : fnPos, "function-argument", `${["1st", "2nd", "3rd"][i] ?? `${i + 1}th`} argument of function call is not assignable. "${tyString(args[i] ?? ANY)}" cannot be assigned to ${want}. called function is "${name}"`);
    };
    if ((lower === "startswith" || lower === "endswith") && args.length === 2) {
      args.forEach((t, i) => composite(t) && badArg(i, '"string"'));
    }
    if (lower === "contains" && args.length === 2) {
      if (args[0]?.k === "object") badArg(0, '"string" or "array"');
      if (composite(args[1])) badArg(1, '"string"');
    }
    if (lower === "format" && lit !== undefined) {
      const used = new Set([...lit.replace(/\{\{|\}\}/g, "").matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1])));
      const given = args.length - 1;
      for (const i of used) if (i >= given) this.c.sink.error(fnPos, "format-placeholder", `format string ${JSON.stringify(lit)} contains placeholder {${i}} but only ${given} arguments are given to format`);
      for (let i = 0; i < given; i++) if (!used.has(i)) this.c.sink.error(fnPos, "format-placeholder", `format string ${JSON.stringify(lit)} does not contain placeholder {${i}}. remove argument which is unused in the format string`);
    }
    if (lower === "fromjson" && lit !== undefined) {
      try {
        return strictType(JSON.parse(lit));
      } catch (err) {
        this.c.sink.error(first ? this.start(first) : fnPos, "invalid-json", `broken JSON string is passed to fromJSON(): ${err instanceof Error ? err.message : String(err)}`);
        return ANY;
      }
    }
    const special = ["always", "cancelled", "failure", "success", "hashfiles"];
    if (special.includes(lower) && !this.avail.functions.some((f) => f.toLowerCase() === lower)) {
      const pos = this.p.at(e.functionName.range.start.line, e.functionName.range.start.column);
      const where = lower === "hashfiles" ? `"jobs.<job_id>.steps.*" keys` : `"jobs.<job_id>.if" and "jobs.<job_id>.steps.if"`;
      this.c.sink.error(pos, "function-not-allowed", `calling function "${name}" is not allowed here. "${name}" is only available in ${where}. see https://docs.github.com/en/actions/learn-github-actions/contexts#context-availability for more details`);
    }
    return FUNC_TYPES[lower] ?? ANY;
  }
}

/** Type of a JSON literal; objects are closed (their keys are known). */
function strictType(v: unknown): Ty {
  if (v === null) return NULL;
  if (Array.isArray(v)) return arr(v.length ? merge(v.map(strictType)) : ANY);
  if (typeof v === "object") return { k: "object", props: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strictType(x)])), strict: true, elem: ANY };
  return typeof v === "string" ? STRING : typeof v === "number" ? NUMBER : typeof v === "boolean" ? BOOL : ANY;
}

function firstToken(e: Expr): Token | undefined {
  if (e instanceof Literal) return e.token;
  if (e instanceof Unary) return e.operator;
  if (e instanceof Binary) return firstToken(e.left);
  if (e instanceof Logical) return e.args[0] ? firstToken(e.args[0]) : e.operator;
  if (e instanceof Grouping) return firstToken(e.group);
  if (e instanceof ContextAccess) return e.name;
  if (e instanceof IndexAccess) return firstToken(e.expr);
  if (e instanceof FunctionCall) return e.functionName;
  return undefined;
}

function rootName(e: Expr): string | undefined {
  let cur: Expr = e;
  while (cur instanceof IndexAccess) cur = cur.expr;
  return cur instanceof ContextAccess ? cur.name.lexeme.toLowerCase() : undefined;
}
