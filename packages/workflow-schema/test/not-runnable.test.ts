import { describe, expect, it } from "vitest";
import { compileWorkflow } from "../src/index";

describe("compileWorkflow refuses what the platform cannot run", () => {
  it("a call of a local reusable workflow is an error at its uses:, not a job that does nothing", () => {
    const source = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n  call:\n    uses: ./.gantry/workflows/lib.yml\n    with:\n      x: 1\n";
    const { plan, errors } = compileWorkflow(source, ".gantry/workflows/ci.yml");
    expect(plan).toBeUndefined();
    expect(errors).toEqual([
      {
        file: ".gantry/workflows/ci.yml",
        line: 8,
        col: 11,
        code: "unsupported-reusable-workflow",
        message: 'job "call" calls the reusable workflow "./.gantry/workflows/lib.yml": Gantry checks such calls but does not run them yet',
        severity: "error",
      },
    ]);
  });
});
