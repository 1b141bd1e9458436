import { describe, expect, it } from "vitest";
import { runStatusFromWord, statusWord } from "../src/index.js";

describe("statusWord", () => {
  it("reads a job ready for a runner as queued and one held by its needs as waiting, as on GitHub", () => {
    expect(statusWord("job", "WAITING")).toEqual({ word: "queued", tone: "queued" });
    expect(statusWord("job", "QUEUED")).toEqual({ word: "waiting", tone: "waiting" });
    expect(statusWord("step", "QUEUED").word).toBe("waiting");
  });

  it("reads a run that has not started as queued and one its concurrency group holds as waiting", () => {
    expect(statusWord("run", "QUEUED")).toEqual({ word: "queued", tone: "queued" });
    expect(statusWord("run", "WAITING")).toEqual({ word: "waiting", tone: "waiting" });
  });

  it("spells cancelled with two l's and gives running, queued, skipped and cancelled each its own tone", () => {
    expect(statusWord("job", "CANCELED").word).toBe("cancelled");
    expect(statusWord("attempt", "TIMED_OUT").word).toBe("timed out");
    const tones = ["RUNNING", "WAITING", "SKIPPED", "CANCELED", "SUCCEEDED", "FAILED", "QUEUED"].map((status) => statusWord("job", status).tone);
    expect(new Set(tones).size).toBe(tones.length);
  });

  it("reads an unknown status as itself, neutral", () => {
    expect(statusWord("attempt", "ASSIGNED").word).toBe("starting");
    expect(statusWord("job", "SOMETHING_NEW")).toEqual({ word: "something new", tone: "neutral" });
  });
});

describe("runStatusFromWord", () => {
  it("takes the words people read and the stored names", () => {
    expect(runStatusFromWord("cancelled")).toBe("CANCELED");
    expect(runStatusFromWord("timed-out")).toBe("TIMED_OUT");
    expect(runStatusFromWord("CANCELED")).toBe("CANCELED");
    expect(runStatusFromWord("queued")).toBe("QUEUED");
    expect(runStatusFromWord("later")).toBeUndefined();
  });
});
