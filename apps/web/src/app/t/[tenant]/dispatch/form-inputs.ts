// A Run workflow form's inputs as the procedure takes them. Text, number, choice and environment inputs arrive as
// their field's string ("input:<name>"; a cleared field is "", which a required input refuses). A checkbox sends
// "true" only when ticked, so each boolean input also sends a marker ("input-bool:<name>") and is true exactly when
// its box was ticked: an unticked box is false, never missing and never the browser's "on".

export function formInputs(data: FormData): Record<string, string | boolean> {
  const booleans = new Set([...data.keys()].filter((name) => name.startsWith("input-bool:")).map((name) => name.slice("input-bool:".length)));
  const inputs: Record<string, string | boolean> = {};
  for (const name of booleans) inputs[name] = data.getAll(`input:${name}`).some((value) => value === "true" || value === "on");
  for (const [field, value] of data.entries()) {
    if (!field.startsWith("input:") || typeof value !== "string") continue;
    const name = field.slice("input:".length);
    if (!booleans.has(name)) inputs[name] = value;
  }
  return inputs;
}
