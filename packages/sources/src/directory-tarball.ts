// A folder as GitHub's tarball endpoint serves a repository (`GET /repos/{o}/{r}/tarball/{sha}`): a gzipped tar
// whose single top folder is `{owner}-{repo}-{short sha}/`. Built deterministically — entries in byte order of their
// paths, mtime the epoch, owner 0, modes normalized as git stores them (0644, 0755 when executable, 0755 folders) —
// so the same folder at the same commit is the same bytes, and its sha-256 can be checked on a later download.
// Used for air-gapped action folders (GANTRY_ACTIONS_DIR) and by the fake GitHub.
//
// Safe against the folder's own links: nothing is followed. A symbolic link is stored as a link (its text), as git
// does; every file is opened with O_NOFOLLOW and must still be the regular file that was listed; FIFOs, sockets and
// devices are left out.
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Header, Pax, type HeaderData } from "tar";

const BLOCK = 512;

export interface TreeEntry {
  /** Path inside the folder, `/`-separated, no leading `./`. */
  path: string;
  kind: "file" | "dir" | "symlink";
  /** 0o644 / 0o755 for files, 0o755 for folders, 0o777 for links. */
  mode: number;
  /** file: its bytes; symlink: its target's text. */
  content: Buffer;
}

export class UnsafeTreeError extends Error {
  override readonly name = "UnsafeTreeError";
}

/** Every entry under `root` (not `root` itself), in byte order of their paths; links are listed, never followed. */
export function readTree(root: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const walk = (relative: string) => {
    const names = readdirSync(path.join(root, relative)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const inner = relative ? `${relative}/${name}` : name;
      const full = path.join(root, inner);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) {
        entries.push({ path: inner, kind: "symlink", mode: 0o777, content: Buffer.from(readlinkSync(full)) });
      } else if (stat.isDirectory()) {
        entries.push({ path: inner, kind: "dir", mode: 0o755, content: Buffer.alloc(0) });
        walk(inner);
      } else if (stat.isFile()) {
        entries.push({ path: inner, kind: "file", mode: stat.mode & 0o111 ? 0o755 : 0o644, content: readRegularFile(full, stat.ino) });
      }
    }
  };
  walk("");
  return entries;
}

function readRegularFile(file: string, inode: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw new UnsafeTreeError(`${file} could not be opened without following a link: ${(error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.ino !== inode) throw new UnsafeTreeError(`${file} changed while it was read`);
    const bytes = Buffer.alloc(stat.size);
    let done = 0;
    while (done < stat.size) {
      const n = readSync(fd, bytes, done, stat.size - done, done);
      if (n === 0) break;
      done += n;
    }
    return bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/**
 * A stable digest of a tree (for a folder with no commit of its own): sha-256 over one line per entry,
 * `<kind> <mode in octal> <sha-256 of content> <path>\n`, in the order readTree gives. Its first 40 hex digits stand
 * in for a commit sha (docs/actions.md).
 */
export function treeDigest(entries: TreeEntry[]): string {
  const hash = createHash("sha256");
  for (const entry of entries) hash.update(`${entry.kind} ${entry.mode.toString(8)} ${createHash("sha256").update(entry.content).digest("hex")} ${entry.path}\n`);
  return hash.digest("hex");
}

function header(data: HeaderData): Buffer[] {
  const head = new Header(data);
  const blocks: Buffer[] = [];
  if (head.encode()) blocks.push(new Pax({ path: data.path, linkpath: data.linkpath, size: data.size, mtime: data.mtime }).encode());
  if (!head.block) throw new Error(`tar: no header block for ${data.path ?? ""}`);
  blocks.push(head.block);
  return blocks;
}

/** GitHub's top folder name for a repository's tarball at a commit. */
export const tarballTopFolder = (repository: string, sha: string) => `${repository.replace("/", "-")}-${sha.slice(0, 7)}`;

/** The tree as a gzipped tar under `topFolder/`, byte for byte the same for the same tree. */
export function tarballOf(entries: TreeEntry[], topFolder: string): Buffer {
  const mtime = new Date(0);
  const common = { mtime, uid: 0, gid: 0, uname: "", gname: "" };
  const blocks: Buffer[] = [...header({ ...common, path: `${topFolder}/`, type: "Directory", mode: 0o755, size: 0 })];
  for (const entry of entries) {
    const stored = `${topFolder}/${entry.path}`;
    if (entry.kind === "dir") blocks.push(...header({ ...common, path: `${stored}/`, type: "Directory", mode: entry.mode, size: 0 }));
    else if (entry.kind === "symlink") blocks.push(...header({ ...common, path: stored, type: "SymbolicLink", linkpath: entry.content.toString(), mode: entry.mode, size: 0 }));
    else {
      blocks.push(...header({ ...common, path: stored, type: "File", mode: entry.mode, size: entry.content.length }), entry.content);
      blocks.push(Buffer.alloc((BLOCK - (entry.content.length % BLOCK)) % BLOCK));
    }
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  // gzip's header carries no name or time from Node (mtime 0), so the compressed bytes are stable too.
  return gzipSync(Buffer.concat(blocks), { level: 6 });
}

/** The folder `dir` as GitHub's tarball of `repository` at `sha`. */
export function directoryTarball(dir: string, repository: string, sha: string): Buffer {
  return tarballOf(readTree(dir), tarballTopFolder(repository, sha));
}
