import { IndexAccess, ContextAccess } from "@actions/expressions/ast";
import { accessPath, walk } from "../expr/walk";
import type { Rule } from "./rule";

/** Event fields anyone who opens an issue or pull request controls (after actionlint's list). `*` is any key. */
const UNTRUSTED = [
  "github.head_ref",
  "github.event.issue.title", "github.event.issue.body",
  "github.event.pull_request.title", "github.event.pull_request.body",
  "github.event.discussion.title", "github.event.discussion.body",
  "github.event.comment.body", "github.event.review.body", "github.event.review_comment.body",
  "github.event.pages.*.page_name",
  "github.event.commits.*.message", "github.event.commits.*.author.email", "github.event.commits.*.author.name",
  "github.event.head_commit.message", "github.event.head_commit.author.email", "github.event.head_commit.author.name",
  "github.event.head_commit.committer.email", "github.event.head_commit.committer.name",
  "github.event.pull_request.head.ref", "github.event.pull_request.head.label", "github.event.pull_request.head.repo.default_branch",
  "github.event.workflow_run.head_branch", "github.event.workflow_run.display_title",
  "github.event.workflow_run.head_commit.message", "github.event.workflow_run.head_commit.author.email", "github.event.workflow_run.head_commit.author.name",
  "github.event.workflow_run.pull_requests.*.head.ref",
].map((p) => p.split("."));

/** Untrusted paths an access path (possibly with `*` filters) can reach. */
export function untrustedMatches(path: string): string[] {
  const segs = path.split(".");
  return UNTRUSTED.filter((u) => u.length === segs.length && u.every((s, i) => s === "*" || segs[i] === "*" || s === segs[i])).map((u) => u.join("."));
}

/** `${{ }}` of untrusted input inside `run:` (or github-script's `script:`) is script injection. */
export const injection: Rule = ({ wf, exprs, sink, tenant }) => {
  for (const p of exprs) {
    const { site } = p;
    let script = site.where === "step-run";
    if (site.where === "step-with" && site.key === "script") {
      const step = wf.jobs.find((j) => j.id === site.jobId)?.steps.find((s) => s.index === site.stepIndex);
      script = !!step?.uses?.value.toLowerCase().startsWith("actions/github-script@");
    }
    if (!script) continue;
    walk(p.expr, (e) => {
      if (!(e instanceof IndexAccess)) return;
      const path = accessPath(e);
      if (!path) return;
      const hits = untrustedMatches(path);
      if (hits.length === 0) return;
      let root: unknown = e;
      while (root instanceof IndexAccess) root = root.expr;
      const tok = root instanceof ContextAccess ? root.name.range.start : { line: 0, column: 0 };
      const what = path.includes("*") && (hits.length > 1 || hits[0] !== path)
        ? `object filter extracts potentially untrusted properties ${hits.map((h) => `"${h}"`).join(", ")}`
        : `"${path}" is potentially untrusted`;
      sink.push(
        p.at(tok.line, tok.column),
        "script-injection",
        `${what}. avoid using it directly in inline scripts. instead, pass it through an environment variable. see https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions for more details`,
        tenant.injectionIsError ? "error" : "warning",
      );
    });
  }
};
