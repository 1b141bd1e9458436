// Checks the inputs of a manual run (`workflow_dispatch`) against the workflow's declarations: every problem at
// once, each naming its input, so a form can show them next to its fields. Valid inputs come back typed
// (`inputs.flag` is a boolean) with defaults applied.
import type { PlanTrigger } from "../plan";

export type DispatchValue = string | number | boolean;
export type DispatchInputDeclaration = NonNullable<PlanTrigger["inputs"]>[number];

export interface DispatchInputProblem {
  /** The input's name as declared (or as given, for an unknown one). */
  input: string;
  message: string;
  /** The values that would be accepted, for choice and environment inputs and for unknown names. */
  choices?: string[];
}

export type DispatchInputsResult = { ok: true; inputs: Record<string, DispatchValue> } | { ok: false; problems: DispatchInputProblem[] };

export interface DispatchInputsContext {
  /** Names of the repository's environments (an `environment` input must name one). */
  environments: string[];
}

type Typed = { value: DispatchValue } | { problem: string; choices?: string[] };

function typed(declaration: DispatchInputDeclaration, raw: DispatchValue, ctx: DispatchInputsContext): Typed {
  const { name, type } = declaration;
  switch (type) {
    case "boolean":
      if (typeof raw === "boolean") return { value: raw };
      if (raw === "true" || raw === "false") return { value: raw === "true" };
      return { problem: `input "${name}" must be true or false but got ${JSON.stringify(raw)}` };
    case "number": {
      const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
      if (Number.isFinite(value)) return { value };
      return { problem: `input "${name}" must be a number but got ${JSON.stringify(raw)}` };
    }
    case "choice": {
      const options = declaration.options ?? [];
      if (typeof raw === "string" && options.includes(raw)) return { value: raw };
      return { problem: `input "${name}" must be one of ${options.map((o) => `"${o}"`).join(", ")} but got ${JSON.stringify(raw)}`, choices: options };
    }
    case "environment": {
      if (typeof raw === "string" && ctx.environments.includes(raw)) return { value: raw };
      const known = ctx.environments.length > 0 ? `one of ${ctx.environments.map((e) => `"${e}"`).join(", ")}` : "an environment of the repository (it has none)";
      return { problem: `input "${name}" must name ${known} but got ${JSON.stringify(raw)}`, choices: [...ctx.environments] };
    }
    default:
      if (typeof raw === "string") return { value: raw };
      return { problem: `input "${name}" must be a string but got ${typeof raw} ${JSON.stringify(raw)}` };
  }
}

/** The value an input takes when it is not given and has no default (GitHub's: empty string, false). */
function unsetValue(declaration: DispatchInputDeclaration): DispatchValue | undefined {
  if (declaration.type === "boolean") return false;
  if (declaration.type === "number") return undefined;
  return "";
}

export function validateDispatchInputs(
  declarations: readonly DispatchInputDeclaration[],
  given: Readonly<Record<string, DispatchValue>>,
  ctx: DispatchInputsContext,
): DispatchInputsResult {
  const problems: DispatchInputProblem[] = [];
  const inputs: Record<string, DispatchValue> = {};
  const declared = new Set(declarations.map((d) => d.name));
  for (const name of Object.keys(given)) {
    if (declared.has(name)) continue;
    const names = [...declared];
    const known = names.length > 0 ? `declared inputs are ${names.map((n) => `"${n}"`).join(", ")}` : "the workflow declares no inputs";
    problems.push({ input: name, message: `input "${name}" is not declared by the workflow (${known})`, choices: names });
  }
  for (const declaration of declarations) {
    const raw = Object.hasOwn(given, declaration.name) ? given[declaration.name] : undefined;
    const provided = raw !== undefined && raw !== "";
    const defaulted = declaration.default !== undefined && declaration.default !== null && declaration.default !== "";
    // Given empty on purpose (a cleared form field): a required input is refused, not quietly given its default.
    if (raw === "" && declaration.required) {
      problems.push({ input: declaration.name, message: `input "${declaration.name}" is required but was given empty`, ...(declaration.options ? { choices: declaration.options } : {}) });
      continue;
    }
    if (!provided && !defaulted) {
      if (declaration.required) {
        problems.push({ input: declaration.name, message: `input "${declaration.name}" is required`, ...(declaration.options ? { choices: declaration.options } : {}) });
      } else {
        const unset = unsetValue(declaration);
        if (unset !== undefined) inputs[declaration.name] = unset;
      }
      continue;
    }
    const source = provided ? raw : (declaration.default as DispatchValue);
    const result = typed(declaration, typeof source === "object" ? JSON.stringify(source) : source, ctx);
    if ("value" in result) inputs[declaration.name] = result.value;
    else problems.push({ input: declaration.name, message: provided ? result.problem : `default of ${result.problem}`, ...(result.choices ? { choices: result.choices } : {}) });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, inputs };
}

/** `github.event.inputs`: GitHub gives every input as a string there (`inputs` keeps the types). */
export function eventInputs(inputs: Readonly<Record<string, DispatchValue>>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [name, String(value)]));
}

/** The `workflow_dispatch` trigger of a plan, if it has one. */
export function dispatchTrigger(triggers: readonly PlanTrigger[]): PlanTrigger | undefined {
  return triggers.find((trigger) => trigger.event === "workflow_dispatch");
}
