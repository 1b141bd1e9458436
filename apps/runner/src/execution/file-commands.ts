// Reads the files a step writes through GITHUB_OUTPUT and GITHUB_ENV: `name=value` lines and the
// multi-line `name<<DELIMITER` … `DELIMITER` form, with GitHub's errors for malformed input.

export type FileCommandResult = { ok: true; values: Record<string, string> } | { ok: false; error: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseKeyValueFile(text: string, file: string): FileCommandResult {
  const values: Record<string, string> = {};
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  // A trailing newline leaves one empty element that is not a line.
  if (lines.at(-1) === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const heredoc = line.indexOf("<<");
    const eq = line.indexOf("=");
    if (heredoc > 0 && (eq < 0 || heredoc < eq)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (!NAME.test(name)) return { ok: false, error: `${file}: invalid name ${JSON.stringify(name)} on line ${i + 1}` };
      if (delimiter === "") return { ok: false, error: `${file}: empty delimiter for ${name} on line ${i + 1}` };
      const body: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        body.push(lines[i] ?? "");
      }
      if (!closed) return { ok: false, error: `${file}: matching delimiter ${JSON.stringify(delimiter)} not found for ${name}` };
      values[name] = body.join("\n");
    } else if (eq > 0) {
      const name = line.slice(0, eq);
      if (!NAME.test(name)) return { ok: false, error: `${file}: invalid name ${JSON.stringify(name)} on line ${i + 1}` };
      values[name] = line.slice(eq + 1);
    } else {
      return { ok: false, error: `${file}: invalid format on line ${i + 1}: expected name=value or name<<DELIMITER` };
    }
  }
  return { ok: true, values };
}

/** GITHUB_PATH: one directory per line, prepended in reverse so the last added comes first. */
export function parsePathFile(text: string): string[] {
  return text.split("\n").map((l) => l.replace(/\r$/, "").trim()).filter((l) => l !== "");
}
