import { Lexer, Parser } from "@actions/expressions";
import type { Expr } from "@actions/expressions";

export const CONTEXT_NAMES = ["env", "github", "inputs", "job", "jobs", "matrix", "needs", "runner", "secrets", "steps", "strategy", "vars"];
export const STATUS_FUNCTIONS = ["always", "cancelled", "failure", "success"];
const EXTRA_FUNCTIONS = [
  { name: "hashFiles", minArgs: 1, maxArgs: 255 },
  ...STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
];

export type ParseResult = { ok: true; expr: Expr } | { ok: false; message: string; line: number; column: number };

/** GitHub's own lexer and parser (`@actions/expressions`), made total: every failure is a value. */
const cache = new Map<string, ParseResult>();
const CACHE_LIMIT = 4096;

export function parseExpression(inner: string, contexts: readonly string[] = CONTEXT_NAMES): ParseResult {
  // Parse trees are never mutated, so identical expressions (matrix cells, repeated steps) share one.
  const key = (contexts === CONTEXT_NAMES ? "" : contexts.join(",")) + "\u0000" + inner;
  const hit = cache.get(key);
  if (hit) return hit;
  const r = parseUncached(inner, contexts);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, r);
  return r;
}

function parseUncached(inner: string, contexts: readonly string[]): ParseResult {
  try {
    const lexed = new Lexer(inner).lex();
    const expr = new Parser(lexed.tokens, [...contexts], EXTRA_FUNCTIONS).parse();
    return { ok: true, expr };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = readPos(e);
    if (pos) return { ok: false, message, line: pos.line, column: pos.column };
    const m = /Located at position (\d+)/.exec(message);
    const offset = m ? Number(m[1]) - 1 : 0;
    const before = inner.slice(0, Math.max(0, offset));
    const line = before.split("\n").length - 1;
    const column = offset - (before.lastIndexOf("\n") + 1);
    return { ok: false, message, line, column: Math.max(0, column) };
  }
}

function readPos(e: unknown): { line: number; column: number } | undefined {
  if (typeof e !== "object" || e === null || !("pos" in e)) return undefined;
  const p = e.pos;
  if (typeof p === "object" && p !== null && "line" in p && "column" in p && typeof p.line === "number" && typeof p.column === "number") {
    return { line: p.line, column: p.column };
  }
  return undefined;
}
