import { describe, expect, it } from "vitest";
import { compileWorkflow, isWorkflowPlan } from "../src/index";

const source = `
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        node: [18, 20]
    steps:
      - run: echo \${{ matrix.node }}
`;

describe("isWorkflowPlan", () => {
  it("accepts a compiled plan after a trip through JSON, and refuses what is not one", () => {
    const { plan } = compileWorkflow(source, ".gantry/workflows/ci.yml");
    const stored: unknown = JSON.parse(JSON.stringify(plan));
    expect(isWorkflowPlan(stored)).toBe(true);
    expect(isWorkflowPlan({})).toBe(false);
    expect(isWorkflowPlan(null)).toBe(false);
    const broken = JSON.parse(JSON.stringify(plan)) as { jobs: { steps: unknown }[] };
    if (broken.jobs[0]) broken.jobs[0].steps = "echo";
    expect(isWorkflowPlan(broken)).toBe(false);
  });
});
