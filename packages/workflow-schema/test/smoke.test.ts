import { describe, expect, it } from "vitest";
import { compileWorkflow, formatErrors, parseWorkflow } from "../src/index.js";

const OK = `on: push
jobs:
  build:
    runs-on: linux-x64
    steps:
      - run: echo hi
`;

describe("public API", () => {
  it("compiles a minimal workflow", () => {
    const r = compileWorkflow(OK, "ci.yml");
    expect(r.errors).toEqual([]);
    expect(r.plan?.jobs.map((j) => j.key)).toEqual(["build"]);
    expect(JSON.parse(JSON.stringify(r.plan))).toEqual(r.plan);
  });

  it("reports all errors at once, sorted, with positions", () => {
    const r = parseWorkflow("on: pushh\njobs:\n  a:\n    runs-on: x\n    needs: [zz]\n    steps:\n      - run: echo\n        foo: 1\n", "w.yml");
    expect(r.errors.map((e) => `${e.line}:${e.col}:${e.code}`)).toEqual(["1:5:unknown-event", "5:13:unknown-needs", "8:9:unknown-key"]);
    expect(formatErrors(r.errors).split("\n")[0]).toMatch(/^w\.yml:1:5: unknown Webhook event "pushh"\. .* \[unknown-event\]$/);
  });
});
