// A manual run's inputs in the order its workflow declares them. They are stored as JSONB, which keeps its keys in
// its own order (shortest first), so the order people wrote comes from the stored plan's workflow_dispatch trigger.
import { z } from "zod";

const declaredInputs = z.looseObject({
  triggers: z.array(z.looseObject({ event: z.string(), inputs: z.array(z.looseObject({ name: z.string() })).optional() })).catch([]),
});

/** `inputs` with the declared ones first, in declaration order, then any others by name. */
export function inDeclaredOrder<V>(inputs: Record<string, V>, plan: unknown): Record<string, V> {
  const parsed = declaredInputs.safeParse(plan);
  const declared = parsed.success ? (parsed.data.triggers.find((trigger) => trigger.event === "workflow_dispatch")?.inputs ?? []).map((input) => input.name) : [];
  const rank = new Map(declared.map((name, index) => [name, index]));
  const names = Object.keys(inputs).sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || a.localeCompare(b));
  return Object.fromEntries(names.map((name) => [name, inputs[name] as V]));
}
