// `uses: owner/repo[/path]@ref` as a workflow writes it, parsed for resolution (docs/actions.md). Everything else —
// local `./path` actions, `docker://` images, a missing or extra `@`, names with characters GitHub does not allow —
// is refused with a message saying what was expected. Owner, repository, path and ref all reach a file system or a
// URL later, so each is held to plain segments here.
import { isSafeRef } from "@gantry/sources";

export interface RemoteUses {
  /** owner/repo as written. */
  repository: string;
  owner: string;
  repo: string;
  /** The action's folder inside the repository ("" for the root). */
  path: string;
  ref: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const plain = (segment: string) => NAME.test(segment) && segment !== "." && segment !== ".." && !segment.startsWith(".");

export type ParsedUses = { ok: true; uses: RemoteUses } | { ok: false; error: string };

export function parseUses(uses: string): ParsedUses {
  const refuse = (why: string): ParsedUses => ({ ok: false, error: `uses ${JSON.stringify(uses)} is not a remote action: ${why}` });
  if (uses.startsWith("./") || uses.startsWith("../")) return refuse("local actions (./path) are read from the workspace, not resolved");
  if (uses.startsWith("docker://")) return refuse("docker actions need a pool with a container runtime");
  const parts = uses.split("@");
  if (parts.length !== 2) return refuse("expected owner/repo[/path]@ref with exactly one @");
  const [location = "", ref = ""] = parts;
  const [owner = "", repo = "", ...path] = location.split("/");
  if (!owner || !repo) return refuse("expected owner/repo[/path]@ref");
  if (!plain(owner) || !plain(repo)) return refuse("the owner and repository are letters, digits, '-', '_' and '.' (not first)");
  if (path.some((segment) => !plain(segment))) return refuse("the path inside the repository is plain folder names (no '.', '..' or empty segments)");
  if (!isSafeRef(ref)) return refuse("the ref after @ is a tag, a branch or a full commit sha");
  return { ok: true, uses: { repository: `${owner}/${repo}`, owner, repo, path: path.join("/"), ref } };
}
