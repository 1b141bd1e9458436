// Writes a tar.gz of paths in a directory a job made, for upload-artifact and cache saves. node-tar opens each entry
// by its path from a working directory, so the kernel would follow a link the job put in the middle of a named path
// (`r/etc/shadow` with `r -> /`); here every directory is opened through safe-fs by descriptor and every file with
// O_NOFOLLOW, and node-tar only encodes the headers. Links inside are stored as links (their text), never followed;
// FIFOs, sockets and devices are left out. extractArchive unpacks an action's tarball the same way, by descriptor.
import { closeSync, createReadStream, readSync, symlinkSync, writeSync, type Stats } from "node:fs";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { Header, Parser, Pax, type HeaderData, type ReadEntry } from "tar";
import { at, components, createFile, entryAt, linkTarget, namesIn, openDir, openRegularFile, UnsafePathError } from "./safe-fs";

const BLOCK = 512;
const CHUNK = 1024 * 1024;

export interface ArchiveOptions {
  /** Every entry's mtime is the epoch, so the same files make the same bytes (artifact digests). */
  deterministic: boolean;
}

/** One header (a PAX header before it when the path or size does not fit ustar). */
function header(data: HeaderData): Buffer[] {
  const head = new Header(data);
  const needsPax = head.encode();
  const blocks: Buffer[] = [];
  if (needsPax) blocks.push(new Pax({ path: data.path, linkpath: data.linkpath, size: data.size, mtime: data.mtime }).encode());
  if (!head.block) throw new Error(`tar: no header block for ${data.path ?? ""}`);
  blocks.push(head.block);
  return blocks;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** The file's bytes as they are when read, exactly `size` of them (zeros if it shrank, cut if it grew). */
function* fileBody(fd: number, size: number): Generator<Buffer> {
  let done = 0;
  while (done < size) {
    const chunk = Buffer.alloc(Math.min(CHUNK, size - done));
    const n = readSync(fd, chunk, 0, chunk.length, done);
    if (n === 0) break;
    done += n;
    yield chunk.subarray(0, n);
  }
  if (done < size) yield Buffer.alloc(size - done);
  yield padding(size);
}

function* entry(dirFd: number, name: string, stored: string, options: ArchiveOptions): Generator<Buffer> {
  const stat = entryAt(dirFd, name);
  if (!stat) throw new UnsafePathError(`${JSON.stringify(stored)} does not exist`, "missing");
  const mtime = (s: Stats) => (options.deterministic ? new Date(0) : s.mtime);
  if (stat.isSymbolicLink()) {
    yield* header({ path: stored, type: "SymbolicLink", linkpath: linkTarget(dirFd, name), mode: 0o777, size: 0, mtime: mtime(stat) });
  } else if (stat.isDirectory()) {
    const child = openDir(dirFd, name);
    try {
      yield* header({ path: `${stored}/`, type: "Directory", mode: stat.mode & 0o777, size: 0, mtime: mtime(stat) });
      for (const inner of namesIn(child)) yield* entry(child, inner, `${stored}/${inner}`, options);
    } finally {
      closeSync(child);
    }
  } else if (stat.isFile()) {
    const file = openRegularFile(dirFd, name, stored);
    try {
      yield* header({ path: stored, type: "File", mode: file.stat.mode & 0o777, size: file.stat.size, mtime: mtime(file.stat) });
      yield* fileBody(file.fd, file.stat.size);
    } finally {
      closeSync(file.fd);
    }
  }
}

/**
 * Writes `out` (tar.gz) holding `entries` — paths relative to `base`, itself relative to the directory open at
 * `rootFd` — stored under those relative names. Throws UnsafePathError naming a path it would not go through.
 */
export async function writeArchive(rootFd: number, base: string, entries: string[], out: string, options: ArchiveOptions): Promise<void> {
  async function* tar(): AsyncGenerator<Buffer> {
    const baseFd = openDir(rootFd, base);
    try {
      for (const relative of entries) {
        const parent = path.posix.dirname(relative);
        const dir = openDir(baseFd, parent, { shown: path.posix.join(base, relative) });
        try {
          yield* entry(dir, path.posix.basename(relative), relative, options);
        } finally {
          closeSync(dir);
        }
      }
      // The end of the archive: two zero blocks.
      yield Buffer.alloc(2 * BLOCK);
    } finally {
      closeSync(baseFd);
    }
  }
  await pipeline(Readable.from(tar()), createGzip(), createWriteStream(out, { mode: 0o600 }));
}

export interface ExtractOptions {
  /** Archive paths start with one top folder (GitHub's tarball layout: `owner-repo-sha/`), stripped. */
  stripTopFolder: boolean;
  /** The most bytes the files may hold in all (an archive that unpacks to more is refused). */
  maxBytes: number;
}

/**
 * Unpacks the tar.gz `file` into the directory open at `destFd`, every directory opened and every file created
 * through safe-fs (no link followed, files created exclusively), so neither the archive nor a process racing in the
 * destination can make it write elsewhere. A symbolic link is made only when its target stays inside the
 * destination; hard links, devices and FIFOs are refused; modes keep only the owner's execute bit's meaning
 * (0644 or 0755). Throws UnsafePathError naming the entry it refused.
 */
export async function extractArchive(file: string, destFd: number, options: ExtractOptions): Promise<void> {
  let top: string | undefined;
  let total = 0;
  let failure: Error | undefined;
  // strict: what node-tar would only warn about (not a tar at all, a bad checksum, a cut-off archive) fails here.
  const parser = new Parser({ strict: true });
  const refuse = (error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error));
    parser.abort(failure);
  };
  parser.on("entry", (entry: ReadEntry) => {
    if (failure) return entry.resume();
    try {
      const relative = entryPath(entry.path, options.stripTopFolder, top);
      top ??= relative.top;
      if (relative.path === "") return entry.resume();
      const parent = path.posix.dirname(relative.path);
      const name = path.posix.basename(relative.path);
      const dir = openDir(destFd, parent === "." ? "" : parent, { create: { mode: 0o755 }, shown: relative.path });
      const mode = (entry.mode ?? 0o644) & 0o100 ? 0o755 : 0o644;
      switch (entry.type) {
        case "Directory":
          closeSync(dir);
          closeSync(openDir(destFd, relative.path, { create: { mode: 0o755 } }));
          return entry.resume();
        case "File":
        case "OldFile":
        case "ContiguousFile": {
          let fd: number;
          try {
            fd = createFile(dir, name, mode);
          } finally {
            closeSync(dir);
          }
          let offset = 0;
          entry.on("data", (chunk: Buffer) => {
            if (failure) return;
            try {
              total += chunk.length;
              if (total > options.maxBytes) throw new UnsafePathError(`the archive unpacks to more than ${options.maxBytes} bytes`);
              for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done, offset + done);
              offset += chunk.length;
            } catch (error) {
              refuse(error);
            }
          });
          entry.on("end", () => closeSync(fd));
          return;
        }
        case "SymbolicLink": {
          try {
            const target = entry.linkpath ?? "";
            const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(relative.path), target));
            if (target.startsWith("/") || resolved === ".." || resolved.startsWith("../")) throw new UnsafePathError(`${JSON.stringify(relative.path)} links outside the archive (${JSON.stringify(target)})`);
            symlinkSync(target, at(dir, name));
          } finally {
            closeSync(dir);
          }
          return entry.resume();
        }
        default:
          closeSync(dir);
          throw new UnsafePathError(`${JSON.stringify(relative.path)} is a ${entry.type} entry; an archive of files, folders and links inside it is expected`);
      }
    } catch (error) {
      refuse(error);
      entry.resume();
    }
  });
  await pipeline(createReadStream(file), parser);
  if (failure) throw failure;
}

function entryPath(raw: string, strip: boolean, top: string | undefined): { top: string; path: string } {
  const parts = components(raw.replace(/\/+$/, ""));
  if (!strip) return { top: "", path: parts.join("/") };
  const [first = "", ...rest] = parts;
  if (top !== undefined && first !== top) throw new UnsafePathError(`${JSON.stringify(raw)} is outside the archive's one top folder ${JSON.stringify(top)}`);
  return { top: first, path: rest.join("/") };
}
