/**
 * A tenant's allowed-actions policy, like GitHub's "Actions permissions": every action, GitHub-owned actions only
 * (owners `actions` and `github`), or a list of patterns. Local actions (`./path`) are always allowed. Pure: the
 * validation rule calls it for every `uses:` it can read, and the control plane for actions found only at run time
 * (the `uses:` of a remote composite action).
 *
 * Pattern semantics (GitHub's "Allow specified actions", made precise):
 * - `owner/repo[/path][@ref]`; owner, repository and path compare case-insensitively, the ref exactly.
 * - `*` matches any run of characters inside one `/`-separated part of the name (`space-org*` / `*`), and any run
 *   of characters in the ref (`releases/*`).
 * - A pattern naming a repository (`owner/repo`, `owner/*`) covers every action in it, at its root or in a folder;
 *   a pattern with a path (`owner/repo/setup`) covers the actions at paths of that shape only.
 * - No `@`, or `@*`, allows every ref; `@v1` or `@<sha>` allows exactly that ref.
 */
import { z } from "zod";

/** Owners whose actions GitHub counts as "created by GitHub". */
export const GITHUB_OWNERS = ["actions", "github"] as const;

/** At most as many patterns as GitHub takes (1000). */
export const MAX_ACTION_PATTERNS = 1000;

const NAME_PART = /^[A-Za-z0-9_.*-]+$/;

/** Why `pattern` is not a valid allowed-actions pattern; undefined when it is. */
export function actionPatternProblem(pattern: string): string | undefined {
  if (pattern.trim() === "") return "a pattern is empty";
  if (/\s/.test(pattern)) return `pattern "${pattern}" contains whitespace`;
  const at = pattern.indexOf("@");
  const name = at >= 0 ? pattern.slice(0, at) : pattern;
  const ref = at >= 0 ? pattern.slice(at + 1) : "*";
  if (ref === "" || ref.includes("@")) return `pattern "${pattern}" has an empty or second "@": write "owner/repo@ref", "owner/repo@*" or "owner/*"`;
  const parts = name.split("/");
  if (parts.length < 2) return `pattern "${pattern}" names no repository: write "owner/repo", "owner/repo@ref" or "owner/*"`;
  for (const part of parts) {
    if (part === "" || part === "." || part === "..") return `pattern "${pattern}" has an empty, "." or ".." part in "${name}"`;
    if (!NAME_PART.test(part)) return `pattern "${pattern}" has a character other than letters, digits, "-", "_", ".", "*" in "${part}"`;
  }
  return undefined;
}

const pattern = z.string().superRefine((value, ctx) => {
  const problem = actionPatternProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const actionsPolicySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("github-owned") }),
  z.object({ kind: z.literal("list"), patterns: z.array(pattern).max(MAX_ACTION_PATTERNS) }),
]);

export type ActionsPolicy = z.infer<typeof actionsPolicySchema>;

export const ALLOW_ALL_ACTIONS: ActionsPolicy = { kind: "all" };

/** `owner/repo[/path]@ref` split, names lower-cased; undefined for anything else (local, docker, malformed). */
export function parseActionRef(uses: string): { owner: string; repo: string; path: string[]; ref: string } | undefined {
  const at = uses.indexOf("@");
  if (at <= 0) return undefined;
  const [owner, repo, ...path] = uses.slice(0, at).toLowerCase().split("/");
  const ref = uses.slice(at + 1);
  if (!owner || !repo || ref === "" || path.some((p) => p === "")) return undefined;
  return { owner, repo, path, ref };
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
const wildcard = (glob: string, star: string, flags: string) => new RegExp(`^${glob.split("*").map(escapeRegExp).join(star)}$`, flags);

/** Whether the action `uses` (already a valid `owner/repo[/path]@ref`) matches one allowed pattern. */
export function actionMatchesPattern(uses: string, pattern: string): boolean {
  const action = parseActionRef(uses);
  if (!action) return false;
  const at = pattern.indexOf("@");
  const nameParts = (at >= 0 ? pattern.slice(0, at) : pattern).split("/");
  const refGlob = at >= 0 ? pattern.slice(at + 1) : "*";
  const actionParts = [action.owner, action.repo, ...action.path];
  // A repository pattern covers its every folder; a path pattern has to match the whole path.
  if (nameParts.length > 2 && nameParts.length !== actionParts.length) return false;
  const namesMatch = nameParts.every((part, i) => wildcard(part, "[^/]*", "i").test(actionParts[i] ?? ""));
  return namesMatch && wildcard(refGlob, ".*", "").test(action.ref);
}

/**
 * Why the tenant's policy refuses `uses`, or null when it allows it. Local actions are always allowed; a docker
 * action is allowed only by `all` (no pattern names an image). The message names the action and the rule.
 */
export function actionRefusal(policy: ActionsPolicy, uses: string): string | null {
  if (policy.kind === "all" || uses.startsWith("./") || uses === ".") return null;
  const refused = (rule: string) => `action "${uses}" is not allowed: ${rule}`;
  const action = parseActionRef(uses);
  if (policy.kind === "github-owned") {
    return action && (GITHUB_OWNERS as readonly string[]).includes(action.owner) ? null : refused(`this tenant allows GitHub-owned actions only (owners ${GITHUB_OWNERS.map((o) => `"${o}"`).join(" and ")}) and local actions`);
  }
  if (policy.patterns.length === 0) return refused("this tenant allows local actions only");
  if (action && !uses.startsWith("docker://") && policy.patterns.some((p) => actionMatchesPattern(uses, p))) return null;
  const shown = policy.patterns.slice(0, 10).map((p) => `"${p}"`).join(", ");
  return refused(`it matches none of this tenant's allowed patterns (${shown}${policy.patterns.length > 10 ? `, and ${policy.patterns.length - 10} more` : ""})`);
}
