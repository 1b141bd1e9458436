import { describe, expect, it } from "vitest";
import { foldResults, resultOf, runConclusion } from "../../src/contexts/conclusions";
import { effectiveCondition, evaluateJobCondition, isTruthy } from "../../src/run/job-condition";

describe("job results", () => {
  it("map statuses the way needs.<id>.result shows them", () => {
    expect(resultOf({ status: "SUCCEEDED", continueOnError: false })).toBe("success");
    expect(resultOf({ status: "FAILED", continueOnError: false })).toBe("failure");
    expect(resultOf({ status: "FAILED", continueOnError: true })).toBe("success");
    expect(resultOf({ status: "TIMED_OUT", continueOnError: false })).toBe("failure");
    expect(resultOf({ status: "CANCELED", continueOnError: false })).toBe("cancelled");
    expect(resultOf({ status: "SKIPPED", continueOnError: false })).toBe("skipped");
    expect(resultOf({ status: "RUNNING", continueOnError: false })).toBeNull();
  });

  it("fold matrix cells: failure, then cancelled, then all-skipped, else success", () => {
    expect(foldResults(["success", "failure", "cancelled"])).toBe("failure");
    expect(foldResults(["success", "cancelled"])).toBe("cancelled");
    expect(foldResults(["skipped", "skipped"])).toBe("skipped");
    expect(foldResults(["skipped", "success"])).toBe("success");
  });

  it("conclude a run: failure, then cancelled, else success", () => {
    const job = (status: "SUCCEEDED" | "FAILED" | "CANCELED" | "SKIPPED", continueOnError = false) => ({ status, continueOnError });
    expect(runConclusion([job("SUCCEEDED"), job("SKIPPED")])).toBe("SUCCEEDED");
    expect(runConclusion([job("SUCCEEDED"), job("FAILED")])).toBe("FAILED");
    expect(runConclusion([job("FAILED", true), job("SUCCEEDED")])).toBe("SUCCEEDED");
    expect(runConclusion([job("FAILED"), job("CANCELED")])).toBe("FAILED");
    expect(runConclusion([job("SUCCEEDED"), job("CANCELED")])).toBe("CANCELED");
  });
});

describe("job conditions", () => {
  it("add GitHub's implicit success() unless a status function is named", () => {
    expect(effectiveCondition(undefined)).toBe("success()");
    expect(effectiveCondition("github.ref == 'refs/heads/main'")).toBe("success() && (github.ref == 'refs/heads/main')");
    expect(effectiveCondition("${{ github.event_name == 'push' }}")).toBe("success() && (github.event_name == 'push')");
    expect(effectiveCondition("${{ always() }}")).toBe("always()");
    expect(effectiveCondition("failure() || cancelled()")).toBe("failure() || cancelled()");
  });

  it("use GitHub's truthiness", () => {
    for (const falsy of [null, false, 0, "", Number.NaN]) expect(isTruthy(falsy)).toBe(false);
    for (const truthy of [true, 1, -1, "false", "0", [], {}]) expect(isTruthy(truthy)).toBe(true);
  });

  const ok = { allNeedsSucceeded: true, anyAncestorFailed: false, runCancelled: false };
  const failed = { allNeedsSucceeded: false, anyAncestorFailed: true, runCancelled: false };
  it("evaluate with status functions and contexts", () => {
    expect(evaluateJobCondition(undefined, {}, ok)).toEqual({ ok: true, run: true });
    expect(evaluateJobCondition(undefined, {}, failed)).toEqual({ ok: true, run: false });
    expect(evaluateJobCondition("always()", {}, failed)).toEqual({ ok: true, run: true });
    expect(evaluateJobCondition("failure()", {}, failed)).toEqual({ ok: true, run: true });
    expect(evaluateJobCondition("failure()", {}, ok)).toEqual({ ok: true, run: false });
    const github = { ref: "refs/heads/main" };
    expect(evaluateJobCondition("github.ref == 'refs/heads/main'", { github }, ok)).toEqual({ ok: true, run: true });
    expect(evaluateJobCondition("github.ref == 'refs/heads/dev'", { github }, ok)).toEqual({ ok: true, run: false });
    expect(evaluateJobCondition("needs.build.outputs.deploy == 'yes'", { needs: { build: { result: "success", outputs: { deploy: "yes" } } } }, ok)).toEqual({ ok: true, run: true });
  });

  it("report an expression that cannot be evaluated instead of throwing", () => {
    const result = evaluateJobCondition("github.ref ==", {}, ok);
    expect(result.ok).toBe(false);
  });
});
