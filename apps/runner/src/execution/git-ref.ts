// A `ref:` a workflow gives actions/checkout reaches `git fetch` on the host. It must be a ref and nothing else:
// a full commit sha, or a name `git check-ref-format --allow-onelevel` accepts (refs/pull/7/merge, v1.2, main)
// that does not start with `-` (git would take it as an option: `--upload-pack=<command>` runs a host command)
// or `+` (a forced refspec).

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
// Besides control characters and space: what git reserves for revision and refspec syntax.
const RESERVED = "~^:?*[\\";
const forbidden = (ref: string) => [...ref].find((c) => c <= " " || c === "\u007f" || RESERVED.includes(c));

/** Why `ref` is not a ref the runner will fetch; undefined when it is. */
export function refProblem(ref: string): string | undefined {
  if (FULL_SHA.test(ref)) return undefined;
  if (ref === "") return "is empty";
  if (ref.startsWith("-") || ref.startsWith("+")) return `starts with "${ref[0]}"`;
  if (ref.length > 1024) return "is longer than 1024 characters";
  const bad = forbidden(ref);
  if (bad !== undefined) return `holds ${JSON.stringify(bad)}`;
  if (ref === "@") return 'is "@"';
  if (ref.includes("@{")) return 'holds "@{"';
  if (ref.includes("..")) return 'holds ".."';
  if (ref.endsWith(".")) return 'ends with "."';
  for (const part of ref.split("/")) {
    if (part === "") return "has an empty path component";
    if (part.startsWith(".")) return `has a component starting with "." (${JSON.stringify(part)})`;
    if (part.endsWith(".lock")) return `has a component ending with ".lock" (${JSON.stringify(part)})`;
  }
  return undefined;
}
