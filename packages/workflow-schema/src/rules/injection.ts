import { accessPath, walk } from "../expr/walk.js";
import type { Rule } from "./rule.js";
import { IndexAccess, ContextAccess } from "@actions/expressions/ast";

/** Event fields anyone who opens an issue or pull request controls (after actionlint's list). */
const UNTRUSTED = [
  /^github\.head_ref$/,
  /^github\.event\.(issue|pull_request|discussion)\.(title|body)$/,
  /^github\.event\.(comment|review|review_comment)\.body$/,
  /^github\.event\.pages\.[^.]+\.page_name$/,
  /^github\.event\.commits\.[^.]+\.(message|author\.(email|name))$/,
  /^github\.event\.head_commit\.(message|author\.(email|name)|committer\.(email|name))$/,
  /^github\.event\.pull_request\.head\.(ref|label|repo\.default_branch)$/,
  /^github\.event\.workflow_run\.(head_branch|display_title|head_commit\.(message|author\.(email|name)))$/,
  /^github\.event\.workflow_run\.pull_requests\.[^.]+\.head\.ref$/,
];

export function isUntrusted(path: string): boolean {
  return UNTRUSTED.some((r) => r.test(path));
}

/** `${{ }}` of untrusted input inside `run:` is script injection: warning, or error when the tenant says so. */
export const injection: Rule = ({ exprs, sink, tenant }) => {
  for (const p of exprs) {
    if (p.site.where !== "step-run") continue;
    walk(p.expr, (e) => {
      if (!(e instanceof IndexAccess)) return;
      const path = accessPath(e);
      if (!path || !isUntrusted(path)) return;
      let root: unknown = e;
      while (root instanceof IndexAccess) root = root.expr;
      const tok = root instanceof ContextAccess ? root.name.range.start : { line: 0, column: 0 };
      sink.push(
        p.at(tok.line, tok.column),
        "script-injection",
        `"${path}" is potentially untrusted. avoid using it directly in inline scripts. instead, pass it through an environment variable. see https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions for more details`,
        tenant.injectionIsError ? "error" : "warning",
      );
    });
  }
};
