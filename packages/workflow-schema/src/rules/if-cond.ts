import { extractExpressions } from "../expr/extract";
import type { Str } from "../model";
import type { Rule } from "./rule";

/**
 * `if: ${{ a }} && b` is a string template, not a condition: GitHub evaluates it to a non-empty
 * string, so it is always true. Only a bare expression or a single `${{ }}` is a condition.
 */
export const ifCond: Rule = ({ wf, sink }) => {
  const check = (s: Str | undefined): void => {
    if (!s || !s.value.includes("${{")) return;
    const ex = extractExpressions(s.value);
    const first = ex.items[0];
    const single = ex.items.length === 1 && first && s.value.slice(0, first.start).trim() === "" && s.value.slice(first.end).trim() === "";
    if (ex.ok && !single) {
      sink.push(s.pos, "if-always-true", `condition "${s.value.trim()}" mixes \${{ }} with other text, so it is a string and always true. write the whole condition inside one \${{ }} or without \${{ }}`, "error");
    }
  };
  for (const job of wf.jobs) {
    check(job.if);
    for (const st of job.steps) check(st.if);
  }
};
