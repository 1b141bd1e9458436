// File operations on the host under a directory a job can write (DESIGN.md invariant 10). Node has no openat, so
// this is its Linux emulation: open a trusted root, then each path component with O_NOFOLLOW relative to the
// descriptor of the one before (`/proc/self/fd/<fd>/<name>` names the opened directory itself, never re-walks a
// path), create with O_EXCL, chown with fchown. A link, anywhere in the path, is refused — never followed — and so
// is anything but a directory where one is expected; swapping a component after the check changes nothing.
import { closeSync, constants, fchownSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, readdirSync, readlinkSync, rmdirSync, unlinkSync, writeSync, type Stats } from "node:fs";

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// /proc/self/fd/<fd> is itself a (magic) link: reopening the directory behind it must follow it.
const REOPEN_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;
// O_NONBLOCK: a FIFO the job planted opens at once instead of hanging the runner; fstat then refuses it.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** A path the runner refused to act through; the message names it as the job wrote it. */
export class UnsafePathError extends Error {
  override readonly name = "UnsafePathError";

  constructor(
    message: string,
    /** `missing` is the one a caller may word as its own "not found"; the rest are refusals. */
    readonly reason: "missing" | "refused" = "refused",
  ) {
    super(message);
  }
}

export interface Owner {
  uid: number;
  gid: number;
}

/** `name` inside the directory open at `fd`, resolved by the kernel from the descriptor, not from a path. */
export const at = (fd: number, name?: string): string => (name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`);

const code = (error: unknown): string | undefined => (error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined);

/**
 * The components of a relative path the job named, or why not: no `..`, no absolute path, no NUL. `.` and empty
 * components vanish, so `""` and `"."` are the root itself.
 */
export function components(relative: string): string[] {
  if (relative.includes("\0")) throw new UnsafePathError(`${JSON.stringify(relative)} holds a NUL byte`);
  if (relative.startsWith("/")) throw new UnsafePathError(`${JSON.stringify(relative)} is absolute; a path relative to the directory is expected`);
  const parts = relative.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw new UnsafePathError(`${JSON.stringify(relative)} goes up with ".."`);
  return parts;
}

/** Opens a directory the runner itself made (a sandbox's workspace, runner files); it must not be a link either. */
export function openRoot(dir: string): number {
  return openSync(dir, DIR_FLAGS);
}

/** withFd for work that awaits: the descriptor stays open until the promise settles. */
export async function withFdAsync<T>(fd: number, use: (fd: number) => Promise<T>): Promise<T> {
  try {
    return await use(fd);
  } finally {
    closeSync(fd);
  }
}

/** Runs `use` with a descriptor, closing it after (also when `use` throws); `use` must not keep it past returning. */
export function withFd<T>(fd: number, use: (fd: number) => T): T {
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

const LINK = "is a symbolic link; the runner does not follow links a job made";

/** Why opening `name` (a component of `shown`) in the directory at `parent` failed, in the job's words. */
function refusal(shown: string, name: string, error: unknown, parent: number): UnsafePathError {
  const whole = shown.split("/").filter((part) => part !== "" && part !== ".").join("/");
  const subject = whole === name ? JSON.stringify(name) : `${JSON.stringify(shown)}: ${JSON.stringify(name)}`;
  const kind = code(error);
  let what = `could not be opened (${kind ?? String(error)})`;
  if (kind === "ELOOP") what = LINK;
  else if (kind === "ENOTDIR") what = lstatOrUndefined(parent, name)?.isSymbolicLink() ? LINK : "is not a directory";
  else if (kind === "ENOENT") what = "does not exist";
  return new UnsafePathError(`${subject} ${what}`, kind === "ENOENT" ? "missing" : "refused");
}

function lstatOrUndefined(dirFd: number, name: string): Stats | undefined {
  try {
    return lstatSync(at(dirFd, name));
  } catch {
    return undefined;
  }
}

export interface OpenDirOptions {
  /** The path as errors name it (default: `relative`), e.g. the whole path the job gave when this is a part of it. */
  shown?: string;
  /** mkdir what is missing (mode 0755 by default), owned by `owner` when given. */
  create?: { mode?: number; owner?: Owner };
}

/**
 * The directory `relative` below the directory open at `rootFd`, opened component by component without following
 * links; a new descriptor the caller closes. Throws UnsafePathError naming the component it refused.
 */
export function openDir(rootFd: number, relative: string, options: OpenDirOptions = {}): number {
  let fd = openSync(at(rootFd), REOPEN_FLAGS);
  try {
    for (const name of components(relative)) {
      let next: number;
      try {
        next = openSync(at(fd, name), DIR_FLAGS);
      } catch (error) {
        if (code(error) !== "ENOENT" || !options.create) throw refusal(options.shown ?? relative, name, error, fd);
        // mkdir never follows a link at its last component (EEXIST): what we open next is what we made, or refused.
        mkdirSync(at(fd, name), { mode: options.create.mode ?? 0o755 });
        next = openSync(at(fd, name), DIR_FLAGS);
        if (options.create.owner) fchownSync(next, options.create.owner.uid, options.create.owner.gid);
      }
      closeSync(fd);
      fd = next;
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** What `name` in the directory at `dirFd` is, without following it (undefined: nothing there). */
export function entryAt(dirFd: number, name: string): Stats | undefined {
  return lstatOrUndefined(dirFd, name);
}

/** The names in the directory open at `dirFd`, sorted. */
export function namesIn(dirFd: number): string[] {
  return readdirSync(at(dirFd)).sort();
}

/** The target text of a link in the directory at `dirFd` (read, never followed). */
export function linkTarget(dirFd: number, name: string): string {
  return readlinkSync(at(dirFd, name));
}

/**
 * Opens the regular file `name` in the directory at `dirFd` for reading: not through a link, and checked on the
 * descriptor, so a FIFO, device or socket the job planted is refused rather than read.
 */
export function openRegularFile(dirFd: number, name: string, shown = name): { fd: number; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(at(dirFd, name), READ_FLAGS);
  } catch (error) {
    if (code(error) === "ELOOP") throw new UnsafePathError(`${JSON.stringify(shown)} is a symbolic link, not a regular file; the runner does not follow links a job made`);
    throw refusal(shown, name, error, dirFd);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new UnsafePathError(`${JSON.stringify(shown)} is not a regular file`);
  }
  return { fd, stat };
}

/** Reads a regular file of at most `maxBytes` (see openRegularFile); undefined when nothing is there. */
export function readRegularFile(dirFd: number, name: string, maxBytes: number, shown = name): string | undefined {
  if (!entryAt(dirFd, name)) return undefined;
  const { fd, stat } = openRegularFile(dirFd, name, shown);
  return withFd(fd, () => {
    if (stat.size > maxBytes) throw new UnsafePathError(`${JSON.stringify(shown)} is larger than ${maxBytes} bytes`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString("utf8");
  });
}

/** Calls `chunk` with the file's bytes in order, a buffer at a time (a file too big to hold is fine). */
export function readChunks(fd: number, chunk: (bytes: Buffer) => void, limit = Number.POSITIVE_INFINITY): number {
  const buffer = Buffer.alloc(1024 * 1024);
  let total = 0;
  while (total < limit) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, limit - total), total);
    if (n === 0) break;
    chunk(buffer.subarray(0, n));
    total += n;
  }
  return total;
}

/**
 * Removes whatever the job left at `name` in the directory at `dirFd` (a file, a link — not its target —, a FIFO,
 * a whole directory tree, none of whose links is followed), then creates a fresh file there exclusively with
 * `data`, owned by `owner`.
 */
export function replaceFile(dirFd: number, name: string, data: string | Buffer, options: { mode: number; owner?: Owner }): void {
  components(name);
  if (name.includes("/")) throw new UnsafePathError(`${JSON.stringify(name)} is not a single file name`);
  removeEntry(dirFd, name);
  let fd: number;
  try {
    fd = openSync(at(dirFd, name), CREATE_FLAGS, options.mode);
  } catch (error) {
    // EEXIST: something was put back between the unlink and the create (a job process still running).
    throw new UnsafePathError(`${JSON.stringify(name)} could not be created afresh (${code(error) ?? String(error)})`);
  }
  withFd(fd, () => {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, written);
    if (options.owner) fchownSync(fd, options.owner.uid, options.owner.gid);
  });
}

/** Creates the file `name` in the directory at `dirFd` exclusively (never through a link); a descriptor to write. */
export function createFile(dirFd: number, name: string, mode: number): number {
  components(name);
  if (name.includes("/")) throw new UnsafePathError(`${JSON.stringify(name)} is not a single file name`);
  try {
    return openSync(at(dirFd, name), CREATE_FLAGS, mode);
  } catch (error) {
    throw new UnsafePathError(`${JSON.stringify(name)} could not be created (${code(error) ?? String(error)})`);
  }
}

/**
 * Removes `name` from the directory at `dirFd` whatever it is — a link (not its target), a file, a FIFO, a whole
 * tree — descending by descriptor, so a directory swapped for a link half-way makes it unlink the link, never empty
 * what the link points at (a path-based `rm -r` would).
 */
export function removeEntry(dirFd: number, name: string): void {
  const stat = entryAt(dirFd, name);
  if (!stat) return;
  if (stat.isDirectory()) {
    let child: number | undefined;
    try {
      child = openSync(at(dirFd, name), DIR_FLAGS);
    } catch (error) {
      if (code(error) !== "ELOOP" && code(error) !== "ENOTDIR") throw error;
    }
    if (child !== undefined) {
      withFd(child, (fd) => {
        for (const inner of readdirSync(at(fd))) removeEntry(fd, inner);
      });
      rmdirSync(at(dirFd, name));
      return;
    }
  }
  unlinkSync(at(dirFd, name));
}

/** The uid/gid owning the directory at `fd`, when the runner is root and must hand what it creates to the job. */
export function ownerToGive(fd: number): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const stat = fstatSync(fd);
  return { uid: stat.uid, gid: stat.gid };
}
