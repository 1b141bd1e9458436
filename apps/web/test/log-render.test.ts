// What the log terminal writes for the runner's output: groups as headings, ANSI untouched, lines cut anywhere.
import { describe, expect, it } from "vitest";
import { logRenderer } from "../src/app/t/[tenant]/runs/[runId]/log-render";

describe("logRenderer", () => {
  it("turns ##[group] into a bold heading, drops ##[endgroup], keeps colours", () => {
    const render = logRenderer();
    expect(render("##[group]Run make\nmake all\n##[endgroup]\n\u001b[31mred\u001b[0m\n")).toBe("\u001b[1m\u25be Run make\u001b[0m\nmake all\n\u001b[31mred\u001b[0m\n");
  });

  it("holds a line start that may be a command until its line is complete, and nothing else", () => {
    const render = logRenderer();
    expect(render("progress 10%")).toBe("progress 10%");
    expect(render(" 20%\n##")).toBe(" 20%\n");
    expect(render("[gro")).toBe("");
    expect(render("up]Tests\nok")).toBe("\u001b[1m\u25be Tests\u001b[0m\nok");
    expect(render(" ##[group]not at a line start\n")).toBe(" ##[group]not at a line start\n");
  });
});
