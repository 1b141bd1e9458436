// The job page's log model: lines numbered per step as the raw log has them (what a permalink names), groups and
// their folding, the first error, and anchors read back.
import { describe, expect, it } from "vitest";
import {
  displayLine,
  findAnchoredLine,
  firstErrorLine,
  foldsHiding,
  foldsHidingMatches,
  groupFold,
  initialFolds,
  isShown,
  lineAnchor,
  LogDocument,
  parseLineAnchor,
  stepFold,
  visibleText,
} from "../src/app/t/[tenant]/runs/[runId]/jobs/[jobKey]/log-document";

function twoSteps(): LogDocument {
  const document = new LogDocument();
  document.startStep(0, "Build");
  document.append(0, "##[group]Run make\nmake\n##[endgroup]\ncompil");
  document.append(0, "ing\n##[group]Details\none\ntwo\n##[endgroup]\nafter\n");
  document.startStep(1, "Test");
  document.append(1, "ok 1\r\n##[error]test 2 failed\n::error file=a.ts::also\nlast");
  document.flush();
  return document;
}

describe("LogDocument", () => {
  it("numbers each step's raw lines from 1, joins lines cut across chunks and gives headings line 0", () => {
    const { lines } = twoSteps();
    expect(lines.map((line) => [line.step, line.line, line.kind, line.text])).toEqual([
      [0, 0, "step", "Build"],
      [0, 1, "group", "##[group]Run make"],
      [0, 2, "text", "make"],
      [0, 3, "endgroup", "##[endgroup]"],
      [0, 4, "text", "compiling"],
      [0, 5, "group", "##[group]Details"],
      [0, 6, "text", "one"],
      [0, 7, "text", "two"],
      [0, 8, "endgroup", "##[endgroup]"],
      [0, 9, "text", "after"],
      [1, 0, "step", "Test"],
      [1, 1, "text", "ok 1"],
      [1, 2, "error", "##[error]test 2 failed"],
      [1, 3, "error", "::error file=a.ts::also"],
      [1, 4, "text", "last"],
    ]);
  });

  it("puts lines in the group whose title they follow, until ##[endgroup] or the next step", () => {
    const { lines } = twoSteps();
    expect(lines.map((line) => line.group)).toEqual([null, null, 1, 1, null, null, 5, 5, 5, null, null, null, null, null, null]);
    const open = new LogDocument();
    open.append(3, "##[group]Never closed\ninside\n");
    open.startStep(4, "Next");
    open.append(4, "outside\n");
    expect(open.lines.map((line) => [line.text, line.group])).toEqual([
      ["Step 4", null],
      ["##[group]Never closed", null],
      ["inside", 1],
      ["Next", null],
      ["outside", null],
    ]);
  });

  it("answers the lines a chunk completed, and a step repeated is not a second heading", () => {
    const document = new LogDocument();
    expect(document.startStep(0, "A").map((line) => line.text)).toEqual(["A"]);
    expect(document.startStep(0, "A")).toEqual([]);
    expect(document.append(0, "half")).toEqual([]);
    expect(document.append(0, " done\nnext").map((line) => line.text)).toEqual(["half done"]);
    expect(document.startStep(1, "B").map((line) => line.text)).toEqual(["next", "B"]);
    expect(document.flush()).toEqual([]);
  });
});

describe("line anchors", () => {
  it("name a step from 1 and read back to the same line", () => {
    const { lines } = twoSteps();
    const error = lines[12];
    if (!error) throw new Error("no line 12");
    expect(lineAnchor(error)).toBe("step-2-line-2");
    const parsed = parseLineAnchor("#step-2-line-2");
    expect(parsed).toEqual({ step: 1, line: 2 });
    expect(parsed && findAnchoredLine(lines, parsed)).toBe(12);
    expect(lineAnchor({ step: null, line: 3 })).toBe("step-0-line-3");
    expect(parseLineAnchor("step-0-line-3")).toEqual({ step: null, line: 3 });
  });

  it("refuse anything else", () => {
    for (const hash of ["", "#", "#step-1", "#step-a-line-2", "#step-1-line-2x", "#line-2", "#step--1-line-2"]) expect(parseLineAnchor(hash), hash).toBeNull();
    expect(findAnchoredLine(twoSteps().lines, { step: 5, line: 1 })).toBe(-1);
  });
});

describe("firstErrorLine", () => {
  it("is the first ##[error] or ::error line, else the failed step's heading, else none", () => {
    expect(firstErrorLine(twoSteps().lines, 1)).toBe(12);
    const quiet = new LogDocument();
    quiet.startStep(0, "A");
    quiet.append(0, "fine\n");
    quiet.startStep(1, "B");
    quiet.append(1, "exit 3\n");
    expect(firstErrorLine(quiet.lines, 1)).toBe(2);
    expect(firstErrorLine(quiet.lines, null)).toBe(-1);
  });
});

describe("folding", () => {
  it("folds the runner's script echo at first, hides a folded group's lines under its title and a folded step's lines under its heading", () => {
    const { lines } = twoSteps();
    const folded = new Set(initialFolds(lines));
    expect([...folded]).toEqual([groupFold(1)]);
    expect(initialFolds(lines.slice(1), 1)).toEqual([groupFold(1)]);
    const shown = (set: Set<string>) => lines.flatMap((line, index) => (isShown(lines, index, set) ? [visibleText(line)] : []));
    expect(shown(folded)).toEqual(["Build", "Run make", "compiling", "Details", "one", "two", "after", "Test", "ok 1", "Error: test 2 failed", "::error file=a.ts::also", "last"]);
    expect(shown(new Set([...folded, groupFold(5)]))).toEqual(["Build", "Run make", "compiling", "Details", "after", "Test", "ok 1", "Error: test 2 failed", "::error file=a.ts::also", "last"]);
    expect(shown(new Set([stepFold(0)]))).toEqual(["Build", "Test", "ok 1", "Error: test 2 failed", "::error file=a.ts::also", "last"]);
    expect(foldsHiding(lines, 6, new Set([stepFold(0), groupFold(5)]))).toEqual([stepFold(0), groupFold(5)]);
  });

  it("shows a fold's state on its heading or title", () => {
    const { lines } = twoSteps();
    const [heading, , , , , details] = lines;
    if (!heading || !details) throw new Error("lines missing");
    expect(displayLine(heading, 0, new Set())).toContain("\u25be Build");
    expect(displayLine(heading, 0, new Set([stepFold(0)]))).toContain("\u25b8 Build");
    expect(displayLine(details, 5, new Set([groupFold(5)]))).toContain("\u25b8 Details");
    expect(displayLine(details, 5, new Set())).toContain("\u25be Details");
  });

  it("opens the folds that hide a search's matches, without case, and no others", () => {
    const { lines } = twoSteps();
    const folded = new Set([groupFold(1), groupFold(5), stepFold(1)]);
    expect(foldsHidingMatches(lines, "TWO", folded)).toEqual([groupFold(5)]);
    expect(foldsHidingMatches(lines, "failed", folded)).toEqual([stepFold(1)]);
    expect(foldsHidingMatches(lines, "compiling", folded)).toEqual([]);
    expect(foldsHidingMatches(lines, "", folded)).toEqual([]);
  });
});
