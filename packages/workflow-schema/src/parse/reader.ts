import type { ErrorSink, Pos } from "../errors";
import type { ExprSite, ExprWhere, Str } from "../model";
import { nodeKindName, scalarString } from "../yaml/node";
import type { YNode, YPair, YScalar } from "../yaml/node";

export interface Scope {
  jobId?: string;
  stepIndex?: number;
}

const EXPR_ONLY = /^\s*\$\{\{[\s\S]*\}\}\s*$/;

export function isExpression(s: string): boolean {
  return EXPR_ONLY.test(s) && s.indexOf("${{") === s.lastIndexOf("${{");
}

export function quoteList(xs: readonly string[]): string {
  return xs.map((x) => `"${x}"`).join(", ");
}

/** Shared helpers for the section parsers: type checks, key checks and expression-site registration. */
export class Reader {
  readonly sites: ExprSite[] = [];
  constructor(readonly sink: ErrorSink) {}

  site(node: YScalar, where: ExprWhere, scope: Scope = {}, condition = false, extra: Partial<ExprSite> = {}): void {
    if (node.missing) return;
    if (condition || (typeof node.value === "string" && node.value.includes("${{"))) {
      this.sites.push({ node, where, ...scope, ...(condition ? { condition } : {}), ...extra });
    }
  }

  /** Mapping pairs, with duplicate keys reported (case-insensitively where GitHub compares so). */
  map(node: YNode, section: string, caseInsensitive = false, allowExpr = false): YPair[] | undefined {
    if (node.kind === "map") {
      this.dupes(node.pairs, section, caseInsensitive);
      return node.pairs;
    }
    if (node.kind === "scalar" && node.value === null) return [];
    if (allowExpr && node.kind === "scalar" && typeof node.value === "string" && isExpression(node.value)) return undefined;
    this.sink.error(node.pos, "type-mismatch", `"${section}" section is ${nodeKindName(node)} node but mapping node is expected`);
    return undefined;
  }

  dupes(pairs: readonly YPair[], section: string, caseInsensitive: boolean): void {
    const seen = new Map<string, Pos>();
    for (const p of pairs) {
      const raw = scalarString(p.key);
      const k = caseInsensitive ? raw.toLowerCase() : raw;
      const prev = seen.get(k);
      if (prev) {
        this.sink.error(
          p.key.pos,
          "duplicate-key",
          `key "${raw}" is duplicated in ${section}. previously defined at line:${prev.line},col:${prev.col}${caseInsensitive ? ". note that this key is case insensitive" : ""}`,
        );
      } else seen.set(k, p.key.pos);
    }
  }

  /** Reports keys outside `allowed`; returns the pairs by key. */
  keys(pairs: readonly YPair[], allowed: readonly string[], what: string, severity: "error" | "warning" = "error"): Map<string, YPair> {
    const out = new Map<string, YPair>();
    for (const p of pairs) {
      const k = scalarString(p.key);
      if (!allowed.includes(k)) {
        this.sink.push(p.key.pos, "unknown-key", `unexpected key "${k}" for ${what}. expected one of ${quoteList([...allowed].sort())}`, severity);
        continue;
      }
      out.set(k, p);
    }
    return out;
  }

  scalar(node: YNode, what: string): YScalar | undefined {
    if (node.kind === "scalar") return node;
    this.sink.error(node.pos, "type-mismatch", `expected scalar node for ${what} but found ${nodeKindName(node)} node`);
    return undefined;
  }

  str(node: YNode, what: string, where?: ExprWhere, scope?: Scope, allowEmpty = false): Str | undefined {
    const n = this.scalar(node, what);
    if (!n) return undefined;
    const value = scalarString(n);
    if (!allowEmpty && value === "") {
      // GitHub accepts an empty value and treats it as unset.
      this.sink.warn(n.pos, "empty-value", "string should not be empty");
      return undefined;
    }
    if (where) this.site(n, where, scope);
    return { value, pos: n.pos, node: n };
  }

  /** A string or a sequence of strings (GitHub accepts both for filters, `needs`, `runs-on`). */
  strList(node: YNode, section: string, where?: ExprWhere, scope?: Scope): Str[] {
    if (node.kind === "seq") {
      if (node.items.length === 0) this.sink.error(node.pos, "empty-value", `"${section}" section should not be empty`);
      const out: Str[] = [];
      for (const it of node.items) {
        const s = this.str(it, `element of "${section}"`, where, scope);
        if (s) out.push(s);
      }
      return out;
    }
    if (node.kind === "scalar" && node.value === null) {
      this.sink.error(node.pos, "empty-value", `"${section}" section should not be empty`);
      return [];
    }
    const s = this.str(node, `"${section}" section`, where, scope);
    return s ? [s] : [];
  }

  bool(node: YNode, what: string, where: ExprWhere, scope?: Scope): boolean | string | undefined {
    if (node.kind === "scalar" && typeof node.value === "boolean") return node.value;
    if (node.kind === "scalar" && typeof node.value === "string" && isExpression(node.value)) {
      this.site(node, where, scope);
      return node.value;
    }
    this.sink.error(node.pos, "type-mismatch", `expecting a single \${{...}} expression or boolean literal "true" or "false" for ${what}, but found ${describe(node)}`);
    return undefined;
  }

  num(node: YNode, what: string, where: ExprWhere, scope?: Scope, integer = false): number | string | undefined {
    if (node.kind === "scalar" && typeof node.value === "number") {
      if (integer && !Number.isInteger(node.value)) {
        this.sink.error(node.pos, "type-mismatch", `expected scalar node for integer value at ${what} but found float ${node.value}`);
        return undefined;
      }
      if (node.value <= 0) this.sink.error(node.pos, "invalid-number", `value at ${what} must be greater than zero: ${node.value}`);
      return node.value;
    }
    if (node.kind === "scalar" && typeof node.value === "string" && isExpression(node.value)) {
      this.site(node, where, scope);
      return node.value;
    }
    this.sink.error(node.pos, "type-mismatch", `expecting a single \${{...}} expression or number literal for ${what}, but found ${describe(node)}`);
    return undefined;
  }

  /** `env:`-like string maps: a mapping of scalars, or one `${{ }}` expression. */
  strMap(node: YNode, section: string, where: ExprWhere, scope?: Scope, caseInsensitive = true): Record<string, Str> {
    const out: Record<string, Str> = {};
    if (node.kind === "scalar" && typeof node.value === "string" && isExpression(node.value)) {
      this.site(node, where, scope, false, { expect: "object", section });
      return out;
    }
    if (node.kind === "scalar" && !node.missing) {
      this.sink.error(node.pos, "type-mismatch", `expecting a single \${{...}} expression or mapping value for "${section}" section, but found ${describe(node)}`);
      return out;
    }
    const pairs = this.map(node, section, caseInsensitive);
    for (const p of pairs ?? []) {
      const key = scalarString(p.key);
      if (key.includes("${{")) this.site(p.key, where, scope);
      const s = this.str(p.value, `value of "${key}" in "${section}"`, undefined, scope, true);
      if (p.value.kind === "scalar") this.site(p.value, where, scope, false, { key });
      if (s) out[key] = s;
    }
    return out;
  }
}

export function describe(node: YNode): string {
  if (node.kind !== "scalar") return `${nodeKindName(node)} node`;
  return node.missing ? "null node" : "plain text node";
}
