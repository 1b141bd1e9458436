// An action's inputs as GitHub hands them over: the step's `with:` values over the defaults declared in action.yml
// (defaults may be expressions, e.g. `${{ github.token }}`, evaluated in the step's contexts), names matched without
// case, each as INPUT_<NAME> (upper case, spaces → `_`). An input the action does not declare still goes through,
// with GitHub's warning.
import type { ExprFunction } from "@gantry/workflow-schema";
import type { ActionManifest } from "./action-manifest";
import { interpolate, interpolateMap } from "./interpolate";

export type ActionInputs = { ok: true; inputs: Record<string, string>; warning?: string } | { ok: false; error: string };

export function actionInputs(given: Record<string, string>, manifest: ActionManifest, contexts: Record<string, unknown>, functions: Record<string, ExprFunction>): ActionInputs {
  const withValues = interpolateMap(given, contexts, "with", functions);
  if (!withValues.ok) return withValues;
  const declared = Object.keys(manifest.inputs);
  const byLowerName = new Map(Object.entries(withValues.value).map(([name, value]) => [name.toLowerCase(), value]));
  const inputs: Record<string, string> = {};
  for (const name of declared) {
    const value = byLowerName.get(name.toLowerCase());
    if (value !== undefined) inputs[name] = value;
    else {
      const fallback = interpolate(manifest.inputs[name]?.default ?? "", contexts, `inputs.${name}.default`, functions);
      if (!fallback.ok) return fallback;
      inputs[name] = fallback.value;
    }
  }
  const known = new Set(declared.map((name) => name.toLowerCase()));
  const unexpected = Object.keys(withValues.value).filter((name) => !known.has(name.toLowerCase()));
  for (const name of unexpected) inputs[name] = withValues.value[name] ?? "";
  // GitHub's wording.
  const warning = unexpected.length > 0 ? `Unexpected input(s) ${unexpected.map((name) => `'${name}'`).join(", ")}, valid inputs are [${declared.map((name) => `'${name}'`).join(", ")}]` : undefined;
  return { ok: true, inputs, ...(warning ? { warning } : {}) };
}

/** INPUT_<NAME> for each input. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, "_").toUpperCase()}`, value]));
}
