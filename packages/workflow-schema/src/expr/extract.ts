/** One `${{ ... }}` inside a string. Offsets are into the string. */
export interface Embedded {
  start: number;
  innerStart: number;
  inner: string;
  end: number;
}

export type ExtractResult = { ok: true; items: Embedded[] } | { ok: false; items: Embedded[]; offset: number; message: string };

/** Finds every `${{ }}`; a `}}` inside a single-quoted string literal does not close it. */
export function extractExpressions(s: string): ExtractResult {
  const items: Embedded[] = [];
  let from = 0;
  for (;;) {
    const start = s.indexOf("${{", from);
    if (start < 0) return { ok: true, items };
    let inStr = false;
    let j = start + 3;
    let end = -1;
    for (; j < s.length; j++) {
      const c = s[j];
      if (c === "'") inStr = !inStr;
      else if (!inStr && c === "}" && s[j + 1] === "}") {
        end = j;
        break;
      }
    }
    if (end < 0) {
      return { ok: false, items, offset: start, message: `got unexpected EOF while lexing end of string literal. expression "${s.slice(start)}" is not closed with "}}"` };
    }
    items.push({ start, innerStart: start + 3, inner: s.slice(start + 3, end), end: end + 2 });
    from = end + 2;
  }
}
