// What the log terminal writes for the runner's output: groups as headings, annotations as coloured lines, a script's
// echo once, ANSI untouched, lines cut anywhere.
import { describe, expect, it } from "vitest";
import { logRenderer } from "../src/app/t/[tenant]/runs/[runId]/log-render";

const BOLD = "\u001b[1m";
const DIM = "\u001b[90m";
const RESET = "\u001b[0m";

describe("logRenderer", () => {
  it("turns ##[group] into a bold heading, drops ##[endgroup], keeps colours", () => {
    const render = logRenderer();
    expect(render.write("##[group]Tests\nok\n##[endgroup]\n\u001b[31mred\u001b[0m\n")).toBe(`${BOLD}\u25be Tests${RESET}\nok\n\u001b[31mred\u001b[0m\n`);
  });

  it("holds a line start that may be a command until its line is complete, and nothing else", () => {
    const render = logRenderer();
    expect(render.write("progress 10%")).toBe("progress 10%");
    expect(render.write(" 20%\n##")).toBe(" 20%\n");
    expect(render.write("[gro")).toBe("");
    expect(render.write("up]Tests\nok")).toBe(`${BOLD}\u25be Tests${RESET}\nok`);
    expect(render.write(" ##[group]not at a line start\n")).toBe(" ##[group]not at a line start\n");
  });

  it("prints a named step's script once, in grey, without the runner's 'Run …' title", () => {
    const render = logRenderer();
    expect(render.step("Build")).toBe("\u001b[1;36m\u25b6 Build\u001b[0m\r\n");
    expect(render.write("##[group]Run make all\nmake all\nmake install\n##[endgroup]\nbuilt\n")).toBe(`${DIM}make all${RESET}\n${DIM}make install${RESET}\nbuilt\n`);
  });

  it("leaves out the first script line of an unnamed step, whose heading is that line, even when chunks cut it", () => {
    const render = logRenderer();
    render.step("Run echo hi");
    expect(render.write("##[group]Run echo hi\n")).toBe("");
    expect(render.write("echo h")).toBe("");
    expect(render.write("i\n##[endgroup]\nhi\n")).toBe("hi\n");
  });

  it("keeps a user's group called 'Run …' that is not a script's echo", () => {
    const render = logRenderer();
    render.step("Tests");
    expect(render.write("##[group]Run the suite\n12 passed\n##[endgroup]\n")).toBe(`${BOLD}\u25be Run the suite${RESET}\n12 passed\n`);
  });

  it("shows ##[error], ##[warning] and ##[notice] as coloured, labelled lines", () => {
    const render = logRenderer();
    expect(render.write("##[warning]disk almost full\n##[error]the process exited with code 1\n##[notice]cache hit\nplain ##[error] text\n")).toBe(
      `\u001b[1;33mWarning: disk almost full${RESET}\n\u001b[1;31mError: the process exited with code 1${RESET}\n\u001b[1;36mNotice: cache hit${RESET}\nplain ##[error] text\n`,
    );
  });
});
