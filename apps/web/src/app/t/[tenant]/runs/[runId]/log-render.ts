// What the log terminal writes for the runner's output, the way GitHub's log view reads it:
// - `##[error]`, `##[warning]`, `##[notice]` lines (the runner's own, and what `::error::` and friends become) as
//   coloured "Error: …", "Warning: …", "Notice: …" lines; `##[debug]` in magenta, `##[command]` in blue;
// - `##[group]Title` as a bold heading, `##[endgroup]` dropped (a terminal buffer cannot fold lines);
// - the runner's echo of a `run:` script (`##[group]Run <first line>`, the script, `##[endgroup]`) as the script alone,
//   in grey under the step's heading: the heading already names the step, so the script is printed once (and for an
//   unnamed step, whose heading is "Run <first line>", from its second line on);
// - everything else as printed, ANSI colours included.
// Chunks may cut a line anywhere, so a line that may be a `##[` command is held until it is complete, and a `Run …`
// group's title until the line after it shows whether it is a script's echo.

const GROUP = /^##\[group\](.*?)(\r?\n)$/;
const END_GROUP = /^##\[endgroup\]/;
const COMMAND = /^##\[(error|warning|notice|debug|command)\](.*?)(\r?\n)?$/;

const ESC = "\u001b[";
const STYLE: Record<string, { open: string; label: string }> = {
  error: { open: `${ESC}1;31m`, label: "Error: " },
  warning: { open: `${ESC}1;33m`, label: "Warning: " },
  notice: { open: `${ESC}1;36m`, label: "Notice: " },
  debug: { open: `${ESC}35m`, label: "Debug: " },
  command: { open: `${ESC}34m`, label: "" },
};
const RESET = `${ESC}0m`;
/** Bright black: the theme's muted grey (log-terminal.tsx), readable on the dark background, unlike SGR 2's dimming. */
export const MUTED = `${ESC}90m`;

/** A `##[error]`-style line (with or without its line end) as its coloured, labelled form; null for any other line. */
export function decorateCommand(line: string): string | null {
  const command = COMMAND.exec(line);
  if (!command) return null;
  const style = STYLE[command[1] ?? ""] ?? { open: "", label: "" };
  return `${style.open}${style.label}${command[2] ?? ""}${RESET}${command[3] ?? ""}`;
}

export interface LogRenderer {
  /** Text for the terminal from the next chunk of the log. */
  write(text: string): string;
  /** The heading for a new step (its name, or "Step n"); remembered to recognise its script's echo. */
  step(name: string): string;
}

/** A renderer for one attempt's chunks, in order. */
export function logRenderer(): LogRenderer {
  let held = "";
  let atLineStart = true;
  let heading = "";
  /** A `##[group]Run …` title waiting for the line after it. */
  let pendingTitle: string | null = null;
  let pendingEol = "\n";
  /** Inside a script's echo: lines seen so far (the first may be dropped, see above). */
  let script: { lines: number; dropFirst: boolean } | null = null;

  const decorate = (line: string): string => {
    if (pendingTitle !== null) {
      const title = pendingTitle;
      pendingTitle = null;
      const firstLine = line.replace(/\r?\n$/, "");
      if (`Run ${firstLine}` === title) {
        script = { lines: 0, dropFirst: title === heading };
        return decorate(line);
      }
      return `${ESC}1m\u25be ${title}${RESET}${pendingEol}${decorate(line)}`;
    }
    if (END_GROUP.test(line)) {
      script = null;
      return "";
    }
    if (script) {
      script.lines += 1;
      if (script.lines === 1 && script.dropFirst) return "";
      return `${MUTED}${line.replace(/\r?\n$/, "")}${RESET}${line.endsWith("\n") ? "\n" : ""}`;
    }
    const group = GROUP.exec(line);
    if (group) {
      const title = group[1] ?? "";
      if (title.startsWith("Run ")) {
        pendingTitle = title;
        pendingEol = group[2] ?? "\n";
        return "";
      }
      return `${ESC}1m\u25be ${title}${RESET}${group[2] ?? ""}`;
    }
    return decorateCommand(line) ?? line;
  };

  return {
    step(name) {
      heading = name;
      pendingTitle = null;
      script = null;
      return `${ESC}1;36m\u25b6 ${name}${RESET}\r\n`;
    },
    write(text) {
      let rest = held + text;
      held = "";
      let out = "";
      while (rest !== "") {
        const newline = rest.indexOf("\n");
        const line = newline === -1 ? rest : rest.slice(0, newline + 1);
        rest = newline === -1 ? "" : rest.slice(newline + 1);
        const mayBeCommand = "##[".startsWith(line) || line.startsWith("##[");
        if (atLineStart && newline === -1 && (mayBeCommand || pendingTitle !== null || script !== null)) {
          held = line;
          break;
        }
        out += atLineStart ? decorate(line) : line;
        atLineStart = newline !== -1;
      }
      return out;
    },
  };
}
