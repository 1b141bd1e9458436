/**
 * GitHub (and PyYAML) accept a multi-line double-quoted scalar whose continuation lines are
 * less indented than its key; `yaml@2` rejects it. Inside double quotes, leading white space of a
 * continuation line is folded away, so indenting those lines does not change the value.
 * Used only as a fallback when the strict parse fails.
 */
export function indentQuotedContinuations(src: string): string {
  const lines = src.split("\n");
  let open = false;
  let indent = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    let start = 0;
    if (open) {
      const lead = line.length - line.trimStart().length;
      if (line.trim() !== "" && lead <= indent) {
        lines[i] = " ".repeat(indent + 2 - lead) + line;
        start = indent + 2 - lead;
      }
      const close = findClose(lines[i] ?? "", start);
      if (close < 0) continue;
      open = false;
      start = close + 1;
    } else {
      indent = line.length - line.trimStart().length;
    }
    const text = lines[i] ?? "";
    const m = /(?:^\s*-\s+|:\s+|^\s*-\s+[^:#"']+:\s+)"/.exec(text.slice(start));
    if (!m || text.slice(start).trimStart().startsWith("#")) continue;
    const q = start + m.index + m[0].length - 1;
    if (findClose(text, q + 1) < 0) open = true;
  }
  return lines.join("\n");
}

function findClose(s: string, from: number): number {
  for (let j = from; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === '"') return j;
  }
  return -1;
}
