import { describe, expect, it } from "vitest";
import { compileWorkflow, dispatchTrigger, eventInputs, validateDispatchInputs } from "../src/index.js";

const WORKFLOW = `
on:
  workflow_dispatch:
    inputs:
      message: { type: string, required: true }
      flag: { type: boolean, default: true }
      level: { type: choice, options: [low, high], default: low }
      count: { type: number, default: 3 }
      target: { type: environment, required: true }
      note: { type: string }
jobs:
  a:
    runs-on: linux
    steps: [{ run: echo }]
`;

function declarations() {
  const { plan, errors } = compileWorkflow(WORKFLOW, ".gantry/workflows/manual.yml");
  expect(errors.filter((e) => e.severity === "error")).toEqual([]);
  const trigger = dispatchTrigger(plan!.triggers);
  expect(trigger?.inputs).toHaveLength(6);
  return trigger!.inputs!;
}
const ctx = { environments: ["staging", "production"] };

describe("validateDispatchInputs", () => {
  it("applies defaults and types every input", () => {
    expect(validateDispatchInputs(declarations(), { message: "hi", target: "staging" }, ctx)).toEqual({
      ok: true,
      inputs: { message: "hi", flag: true, level: "low", count: 3, target: "staging", note: "" },
    });
  });

  it("accepts form strings for booleans and numbers and keeps their types", () => {
    const result = validateDispatchInputs(declarations(), { message: "m", target: "production", flag: "false", count: "2.5", level: "high", note: "n" }, ctx);
    expect(result).toEqual({ ok: true, inputs: { message: "m", flag: false, level: "high", count: 2.5, target: "production", note: "n" } });
  });

  it("reports every problem at once, each naming its input and the valid choices", () => {
    const result = validateDispatchInputs(declarations(), { flag: "yes", level: "medium", count: "many", target: "prod", extra: "x" }, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byInput = Object.fromEntries(result.problems.map((p) => [p.input, p]));
    expect(Object.keys(byInput).sort()).toEqual(["count", "extra", "flag", "level", "message", "target"]);
    expect(byInput.message!.message).toBe('input "message" is required');
    expect(byInput.flag!.message).toBe('input "flag" must be true or false but got "yes"');
    expect(byInput.level).toEqual({ input: "level", message: 'input "level" must be one of "low", "high" but got "medium"', choices: ["low", "high"] });
    expect(byInput.count!.message).toBe('input "count" must be a number but got "many"');
    expect(byInput.target!.choices).toEqual(["staging", "production"]);
    expect(byInput.target!.message).toContain('"staging", "production"');
    expect(byInput.extra!.message).toContain('input "extra" is not declared by the workflow');
    expect(byInput.extra!.choices).toContain("message");
  });

  it("refuses a non-string for a string input and names a repository without environments", () => {
    const result = validateDispatchInputs(declarations(), { message: 5, target: "staging" }, { environments: [] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toEqual([
      'input "message" must be a string but got number 5',
      'input "target" must name an environment of the repository (it has none) but got "staging"',
    ]);
  });

  it("gives github.event.inputs as strings", () => {
    expect(eventInputs({ flag: true, count: 3, message: "m" })).toEqual({ flag: "true", count: "3", message: "m" });
  });
});

describe("a required input given empty", () => {
  const source = `
on:
  workflow_dispatch:
    inputs:
      target: { type: string, required: true, default: staging, description: Where to deploy }
      note: { type: string, default: hello }
jobs:
  a:
    runs-on: linux
    steps: [{ run: echo }]
`;
  const inputs = () => dispatchTrigger(compileWorkflow(source, ".gantry/workflows/d.yml").plan!.triggers)!.inputs!;

  it("is refused rather than given its default; left out, it takes the default", () => {
    expect(validateDispatchInputs(inputs(), { target: "" }, ctx)).toEqual({ ok: false, problems: [{ input: "target", message: 'input "target" is required but was given empty' }] });
    expect(validateDispatchInputs(inputs(), {}, ctx)).toEqual({ ok: true, inputs: { target: "staging", note: "hello" } });
    // An optional input cleared still takes its default, as before.
    expect(validateDispatchInputs(inputs(), { target: "prod", note: "" }, ctx)).toEqual({ ok: true, inputs: { target: "prod", note: "hello" } });
  });

  it("keeps each input's description in the plan, for the form", () => {
    expect(inputs().map((input) => [input.name, input.description])).toEqual([
      ["target", "Where to deploy"],
      ["note", undefined],
    ]);
  });
});
