import { ContextAccess, FunctionCall, Grouping, IndexAccess, Literal, Logical, Star, Unary, Binary } from "@actions/expressions/ast";
import type { Expr } from "@actions/expressions";
import { TokenType } from "@actions/expressions/lexer";

/** Children of an expression node, for generic walks. */
export function children(e: Expr): Expr[] {
  if (e instanceof Unary) return [e.expr];
  if (e instanceof Binary) return [e.left, e.right];
  if (e instanceof Logical) return e.args;
  if (e instanceof Grouping) return [e.group];
  if (e instanceof IndexAccess) return [e.expr, e.index];
  if (e instanceof FunctionCall) return e.args;
  return [];
}

export function walk(e: Expr, f: (e: Expr) => void): void {
  f(e);
  for (const c of children(e)) walk(c, f);
}

/** `github.event.pull_request.title` for a property chain; `*` for filters and computed indexes. */
export function accessPath(e: Expr): string | undefined {
  if (e instanceof ContextAccess) return e.name.lexeme.toLowerCase();
  if (e instanceof IndexAccess) {
    const base = accessPath(e.expr);
    if (base === undefined) return undefined;
    if (e.index instanceof Literal && typeof e.index.literal.coerceString() === "string" && e.index.token.type !== TokenType.NUMBER) {
      return `${base}.${e.index.literal.coerceString().toLowerCase()}`;
    }
    return `${base}.*`;
  }
  return undefined;
}

export { Star, ContextAccess, IndexAccess, Literal, FunctionCall };
