import { claimResponse } from "@gantry/runner-protocol";
import { describe, expect, it } from "vitest";
import { jobContexts } from "../src/job-contexts";

const claim = (event: string, inputs?: Record<string, unknown>) =>
  claimResponse.parse({
    assignment: {
      attemptId: "att",
      attempt: 1,
      jobToken: "gjt_0123456789abcdefghij",
      leaseMs: 30_000,
      heartbeatMs: 5_000,
      run: { id: "run", number: 1, event, ref: "refs/heads/main", sha: "a".repeat(40), repository: "demo/hello", repositoryUrl: null, trusted: true, ...(inputs ? { inputs } : {}) },
      job: { key: "b", jobId: "b", name: "b", env: {}, outputs: {}, steps: [], timeoutMinutes: 5, continueOnError: false },
    },
  }).assignment!;

describe("jobContexts", () => {
  it("gives a manual run's inputs typed in `inputs` and as strings in github.event.inputs", () => {
    const contexts = jobContexts(claim("workflow_dispatch", { flag: true, count: 3, target: "staging" }));
    expect(contexts.inputs).toEqual({ flag: true, count: 3, target: "staging" });
    expect(contexts.github.event).toEqual({ inputs: { flag: "true", count: "3", target: "staging" } });
  });

  it("an assignment without inputs or an event (an older control plane, or a push) has empty inputs and github.event", () => {
    const contexts = jobContexts(claim("push"));
    expect(contexts.inputs).toEqual({});
    expect(contexts.github.event).toEqual({});
  });

  it("gives the assignment's variables as the `vars` context", () => {
    const parsed = claimResponse.parse({ assignment: { ...claim("push"), vars: { GREETING: "hello" } } }).assignment;
    expect(parsed && jobContexts(parsed).vars).toEqual({ GREETING: "hello" });
  });
});
