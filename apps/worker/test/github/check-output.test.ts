// A job's check-run text says its status in the dashboard's words (@gantry/workflow-schema's statusWord): "Cancelled"
// with two l's, "Queued" for a job ready for a runner, "Waiting" for one held by its needs.
import { describe, expect, it } from "vitest";
import { jobCheckOutput } from "../../src/intake/github/check-output";

describe("jobCheckOutput", () => {
  it("titles a job by its status as people read it", () => {
    expect(jobCheckOutput({ status: "CANCELED", failureReason: "cancelled by demo@gantry.local", steps: [] })).toMatchObject({ title: "Cancelled", summary: "Cancelled: cancelled by demo@gantry.local" });
    expect(jobCheckOutput({ status: "WAITING", failureReason: null, steps: [] })).toMatchObject({ title: "Queued", summary: "Queued." });
    expect(jobCheckOutput({ status: "QUEUED", failureReason: null, steps: [] })).toMatchObject({ title: "Waiting", summary: "Waiting." });
    expect(jobCheckOutput({ status: "TIMED_OUT", failureReason: null, steps: [] }).title).toBe("Timed out");
  });
});
