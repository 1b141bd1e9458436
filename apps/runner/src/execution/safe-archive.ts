// Writes a tar.gz of paths in a directory a job made, for upload-artifact and cache saves. node-tar opens each entry
// by its path from a working directory, so the kernel would follow a link the job put in the middle of a named path
// (`r/etc/shadow` with `r -> /`); here every directory is opened through safe-fs by descriptor and every file with
// O_NOFOLLOW, and node-tar only encodes the headers. Links inside are stored as links (their text), never followed;
// FIFOs, sockets and devices are left out.
import { closeSync, readSync, type Stats } from "node:fs";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { Header, Pax, type HeaderData } from "tar";
import { entryAt, linkTarget, namesIn, openDir, openRegularFile, UnsafePathError } from "./safe-fs";

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
