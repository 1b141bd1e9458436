// `runs-on` built from `${{ }}` (`${{ inputs.runner }}`, `${{ fromJSON(needs.plan.outputs.labels) }}`): the compiler
// substitutes only `matrix`; the rest is known when the job is about to start, so the worker evaluates it then and
// the job's pool labels become the values (an array's items each a label).
import { evaluateExpression } from "@gantry/workflow-schema";

export type RunsOn = { ok: true; labels?: string[] } | { ok: false; error: string };

/** The evaluated labels; `labels` absent when there was nothing to evaluate. */
export function evaluateRunsOn(planned: readonly string[] | undefined, contexts: Record<string, unknown>): RunsOn {
  if (!planned?.some((label) => label.includes("${{"))) return { ok: true };
  const labels: string[] = [];
  for (const label of planned) {
    if (!label.includes("${{")) {
      labels.push(label);
      continue;
    }
    const value = evaluateExpression(label, contexts);
    if (!value.ok) return { ok: false, error: value.error };
    for (const item of Array.isArray(value.value) ? value.value : [value.value]) {
      if (item === null || item === "") continue;
      if (typeof item === "object") return { ok: false, error: `${label} gave ${JSON.stringify(item)}, not a label` };
      labels.push(String(item));
    }
  }
  if (labels.length === 0) return { ok: false, error: `${planned.join(", ")} gave no label` };
  return { ok: true, labels };
}
