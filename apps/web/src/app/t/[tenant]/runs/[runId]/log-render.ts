// What the log terminal writes for the runner's output: `##[group]Title` as a bold heading, `##[endgroup]` dropped
// (a terminal buffer cannot fold lines), everything else as printed, ANSI colours included. Chunks may cut a line
// anywhere, so a line that may be a `##[` command is held until it is complete.

const GROUP = /^##\[group\](.*?)(\r?\n)?$/;
const END_GROUP = /^##\[endgroup\]/;

function decorate(line: string): string {
  if (END_GROUP.test(line)) return "";
  const group = GROUP.exec(line);
  if (group) return `\u001b[1m\u25be ${group[1] ?? ""}\u001b[0m${group[2] ?? ""}`;
  return line;
}

/** A renderer for one attempt's chunks, in order. */
export function logRenderer(): (text: string) => string {
  let held = "";
  let atLineStart = true;
  return (text) => {
    let rest = held + text;
    held = "";
    let out = "";
    while (rest !== "") {
      const newline = rest.indexOf("\n");
      const line = newline === -1 ? rest : rest.slice(0, newline + 1);
      rest = newline === -1 ? "" : rest.slice(newline + 1);
      if (atLineStart && newline === -1 && ("##[".startsWith(line) || line.startsWith("##["))) {
        held = line;
        break;
      }
      out += atLineStart ? decorate(line) : line;
      atLineStart = newline !== -1;
    }
    return out;
  };
}
