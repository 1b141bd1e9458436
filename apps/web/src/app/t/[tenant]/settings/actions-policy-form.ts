// The allowed-actions part of the settings form: a choice and a textarea of patterns, one a line, turned into an
// ActionsPolicy with the first bad line named (the server checks the same again through actionsPolicySchema).
import { actionPatternProblem, MAX_ACTION_PATTERNS, type ActionsPolicy } from "@gantry/workflow-schema";

export function actionsPolicyFromForm(kind: "all" | "github-owned" | "list", text: string): { policy: ActionsPolicy } | { problem: string } {
  if (kind !== "list") return { policy: { kind } };
  const lines = text.split(/\r?\n/).map((line, index) => ({ pattern: line.trim(), line: index + 1 }));
  const given = lines.filter((entry) => entry.pattern !== "");
  for (const { pattern, line } of given) {
    const problem = actionPatternProblem(pattern);
    if (problem) return { problem: `Allowed actions, line ${line}: ${problem}.` };
  }
  if (given.length > MAX_ACTION_PATTERNS) return { problem: `Allowed actions: at most ${MAX_ACTION_PATTERNS} patterns.` };
  return { policy: { kind: "list", patterns: [...new Set(given.map((entry) => entry.pattern))] } };
}
