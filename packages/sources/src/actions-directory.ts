// A directory of remote actions for air-gapped installs (GANTRY_ACTIONS_DIR; docs/actions.md): one folder per
// `owner/repo/ref/` holding the repository's tree at that ref. The commit a ref stands for is the ref itself when it
// is a full sha; else the one an `INDEX.tsv` at the root gives (columns action, tag, commit: GitHub's own record of
// the release); else the first 40 hex digits of the folder's tree digest (directory-tarball.ts treeDigest). A full
// sha also finds the folder of the tag INDEX.tsv gives for it, so `uses: actions/checkout@<sha>` works offline.
//
// Owner, repository and ref come from a workflow: each is checked to be a plain name, and the folder found must
// lie inside the root once every link is resolved (an admin may link `v4 -> v4.2.2`, never out of the root).
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { readTree, tarballOf, tarballTopFolder, treeDigest } from "./directory-tarball";

const NAME = /^[A-Za-z0-9_.-]+$/;
const FULL_SHA = /^[0-9a-f]{40}$/;

/** A git ref as a workflow may write it after `@`: plain segments, no `..`, no hidden segment, no `.lock`. */
export function isSafeRef(ref: string): boolean {
  if (ref.length === 0 || ref.length > 255) return false;
  return ref.split("/").every((segment) => NAME.test(segment) && !segment.startsWith(".") && !segment.startsWith("-") && !segment.endsWith(".lock"));
}

export const isFullSha = (ref: string) => FULL_SHA.test(ref);

export interface DirectoryAction {
  /** owner/repo as the folders spell it. */
  repository: string;
  sha: string;
  /** The folder holding the tree (absolute, links resolved, inside the root). */
  folder: string;
  /** How the sha was found. */
  shaFrom: "ref" | "index" | "digest";
}

export class ActionsDirectory {
  private readonly realRoot: string;
  private index: { byTag: Map<string, string>; byCommit: Map<string, string> } | undefined;

  constructor(readonly root: string) {
    this.realRoot = realpathSync(root);
  }

  /** INDEX.tsv, read once: `action<TAB>tag<TAB>commit` lines (a header line is skipped). */
  private readIndex() {
    if (this.index) return this.index;
    const byTag = new Map<string, string>();
    const byCommit = new Map<string, string>();
    const file = path.join(this.realRoot, "INDEX.tsv");
    if (existsSync(file)) {
      for (const line of readFileSync(file, "utf8").split("\n")) {
        const [action, tag, commit] = line.trim().split("\t");
        if (!action || !tag || !commit || !FULL_SHA.test(commit)) continue;
        byTag.set(`${action.toLowerCase()}\u0000${tag}`, commit);
        byCommit.set(`${action.toLowerCase()}\u0000${commit}`, tag);
      }
    }
    this.index = { byTag, byCommit };
    return this.index;
  }

  /** A child folder of `parent` named `name`, matched case-insensitively as GitHub matches owners and repositories. */
  private child(parent: string, name: string): string | null {
    if (!existsSync(parent)) return null;
    const names = readdirSync(parent);
    const found = names.includes(name) ? name : names.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    return found ?? null;
  }

  /** The folder `owner/repo/ref` when it exists as a directory inside the root. */
  private folder(owner: string, repo: string, ref: string): { repository: string; folder: string } | null {
    const ownerName = this.child(this.realRoot, owner);
    if (!ownerName) return null;
    const repoName = this.child(path.join(this.realRoot, ownerName), repo);
    if (!repoName) return null;
    const candidate = path.join(this.realRoot, ownerName, repoName, ...ref.split("/"));
    if (!existsSync(candidate)) return null;
    const real = realpathSync(candidate);
    if (!real.startsWith(`${this.realRoot}${path.sep}`) || !statSync(real).isDirectory()) return null;
    return { repository: `${ownerName}/${repoName}`, folder: real };
  }

  /** The action's folder and commit for `ref`, or null when this directory does not hold it. */
  resolve(repository: string, ref: string): DirectoryAction | null {
    const [owner, repo, ...rest] = repository.split("/");
    if (!owner || !repo || rest.length > 0 || !NAME.test(owner) || !NAME.test(repo) || owner.startsWith(".") || repo.startsWith(".") || !isSafeRef(ref)) return null;
    const index = this.readIndex();
    const direct = this.folder(owner, repo, ref);
    if (isFullSha(ref)) {
      if (direct) return { ...direct, sha: ref, shaFrom: "ref" };
      const tag = index.byCommit.get(`${repository.toLowerCase()}\u0000${ref}`);
      const tagged = tag && isSafeRef(tag) ? this.folder(owner, repo, tag) : null;
      return tagged ? { ...tagged, sha: ref, shaFrom: "index" } : null;
    }
    if (!direct) return null;
    const indexed = index.byTag.get(`${direct.repository.toLowerCase()}\u0000${ref}`);
    if (indexed) return { ...direct, sha: indexed, shaFrom: "index" };
    return { ...direct, sha: treeDigest(readTree(direct.folder)).slice(0, 40), shaFrom: "digest" };
  }

  /** The repository's folder (owner/repo as the folders spell it), or null when the directory has none. */
  repositoryFolder(owner: string, repo: string): string | null {
    if (!NAME.test(owner) || !NAME.test(repo) || owner.startsWith(".") || repo.startsWith(".")) return null;
    const ownerName = this.child(this.realRoot, owner);
    const repoName = ownerName ? this.child(path.join(this.realRoot, ownerName), repo) : null;
    return ownerName && repoName ? `${ownerName}/${repoName}` : null;
  }

  /** The folder holding commit `sha` of the repository: named by it, given by INDEX.tsv, or whose ref resolves to it. */
  byCommit(repository: string, sha: string): DirectoryAction | null {
    if (!isFullSha(sha)) return null;
    const direct = this.resolve(repository, sha);
    if (direct) return direct;
    const [owner = "", repo = ""] = repository.split("/");
    const folder = this.repositoryFolder(owner, repo);
    if (!folder) return null;
    for (const ref of readdirSync(path.join(this.realRoot, folder))) {
      const found = isSafeRef(ref) ? this.resolve(repository, ref) : null;
      if (found?.sha === sha) return found;
    }
    return null;
  }

  /** The resolved action's folder as GitHub's tarball of the repository at its sha. */
  tarball(action: DirectoryAction): Buffer {
    return tarballOf(readTree(action.folder), tarballTopFolder(action.repository, action.sha));
  }
}
