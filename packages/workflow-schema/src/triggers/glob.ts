/**
 * GitHub filter patterns (workflow syntax, "Filter pattern cheat sheet"):
 * `*` any run of characters except `/`, `**` any run of characters, `?` zero or one of the
 * preceding character, `+` one or more of the preceding character, `[a-z]` character classes,
 * `\` escapes, and a leading `!` negates the pattern.
 */
export type GlobKind = "ref" | "path";

export interface GlobIssue {
  offset: number;
  message: string;
}

const NOTE = "note: filter pattern syntax is explained at https://docs.github.com/en/actions/using-workflows/workflow-syntax-for-github-actions#filter-pattern-cheat-sheet";
const SPECIAL = "[?+*\\!";

/** Problems in a pattern, with the offset of the offending character. Empty when valid. */
export function validateGlob(pattern: string, kind: GlobKind): GlobIssue[] {
  const issues: GlobIssue[] = [];
  if (pattern !== pattern.trim()) {
    issues.push({ offset: 0, message: `leading and trailing spaces are not allowed in glob path. ${NOTE}` });
    return issues;
  }
  let s = pattern;
  let base = 0;
  if (s.startsWith("!")) {
    if (s.length === 1) return [{ offset: 0, message: `invalid glob pattern. unexpected character '!' while checking ! at first character (negate pattern). at least one character must follow !. ${NOTE}` }];
    s = s.slice(1);
    base = 1;
  }
  if (kind === "path") {
    const segs = s.split("/");
    if (segs.some((x) => x === "." || x === "..")) issues.push({ offset: 0, message: `'.' and '..' are not allowed in glob path. ${NOTE}` });
  } else {
    if (s.startsWith("/")) issues.push({ offset: base, message: `character '/' is invalid for branch and tag names. ref name must not start with /. see \`man git-check-ref-format\` for more details` });
    if (s.endsWith("/") || s.endsWith(".")) issues.push({ offset: base + s.length - 1, message: `character '${s.at(-1) ?? ""}' is invalid for branch and tag names. ref name must not end with / and .. see \`man git-check-ref-format\` for more details` });
  }
  let prevSpecial = true;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    const at = base + i;
    if (c === "\\") {
      const nx = s[i + 1];
      if (nx === undefined) {
        issues.push({ offset: at, message: `invalid glob pattern. unexpected EOF while checking escape. ${NOTE}` });
      } else if (kind === "ref" && !SPECIAL.includes(nx)) {
        issues.push({ offset: at, message: `character '\\' is invalid for branch and tag names. only special characters [, ?, +, *, \\, ! can be escaped with \\. see \`man git-check-ref-format\` for more details` });
      }
      i++;
      prevSpecial = false;
      continue;
    }
    if (c === "[") {
      const close = s.indexOf("]", i + 1);
      if (close < 0) {
        issues.push({ offset: base + s.length - 1, message: `invalid glob pattern. unexpected EOF while checking end of character match []. missing ]. ${NOTE}` });
        return issues;
      }
      const body = s.slice(i + 1, close);
      if (body.length === 1) issues.push({ offset: base + close, message: `invalid glob pattern. unexpected character ']' while checking character match []. character match with single character is useless. simply use x instead of [x]. ${NOTE}` });
      for (let j = 0; j + 2 < body.length; j++) {
        if (body[j + 1] === "-" && (body[j] ?? "") > (body[j + 2] ?? "")) {
          issues.push({ offset: base + i + 1 + j + 2, message: `invalid glob pattern. unexpected character '${body[j + 2]}' while checking character range in []. start of range '${body[j]}' is larger than end of range '${body[j + 2]}'. ${NOTE}` });
        }
      }
      i = close;
      prevSpecial = false;
      continue;
    }
    if (c === "?" || c === "+") {
      if (prevSpecial && !(c === "?" && kind === "path")) {
        issues.push({ offset: at, message: `invalid glob pattern. unexpected character '${c}' while checking special character ${c === "+" ? "+ (one or more)" : "? (zero or one)"}. the preceding character must not be special character. ${NOTE}` });
      }
      prevSpecial = true;
      continue;
    }
    if (c === "*") {
      prevSpecial = true;
      continue;
    }
    if (kind === "ref" && (c === " " || c === "~" || c === "^" || c === ":" || c.charCodeAt(0) < 32)) {
      issues.push({ offset: at, message: `character '${c}' is invalid for branch and tag names. ref name cannot contain spaces, ~, ^, :, [, ?, *. see \`man git-check-ref-format\` for more details` });
    }
    prevSpecial = false;
  }
  return issues;
}

const cache = new Map<string, RegExp>();

/** The pattern (without its `!`) as an anchored RegExp. Never throws: invalid classes match literally. */
export function globToRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? "";
    if (c === "\\" && i + 1 < pattern.length) {
      re += escape(pattern[++i] ?? "");
    } else if (c === "*") {
      if (pattern[i + 1] === "*") {
        i++;
        if (pattern[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?" || c === "+") {
      re += re.length ? c : escape(c);
    } else if (c === "[") {
      const close = pattern.indexOf("]", i + 1);
      if (close < 0) re += "\\[";
      else {
        const body = pattern.slice(i + 1, close).replace(/[\\\]^]/g, "\\$&");
        re += `[${body}]`;
        i = close;
      }
    } else re += escape(c);
  }
  let out: RegExp;
  try {
    out = new RegExp(`^${re}$`, "s");
  } catch {
    out = new RegExp(`^${escape(pattern)}$`, "s");
  }
  if (cache.size > 5000) cache.clear();
  cache.set(pattern, out);
  return out;
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** GitHub's ordered evaluation: the last pattern that matches decides; `!` patterns exclude. */
export function matchPatterns(patterns: readonly string[], value: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const neg = p.startsWith("!");
    const body = neg ? p.slice(1) : p;
    if (globToRegExp(body).test(value)) matched = !neg;
  }
  return matched;
}
