// The local object store (DESIGN.md "Storage": a directory by default, S3-compatible in production): immutable
// objects under keys made of safe path segments. A put is atomic (temporary file + rename), so a reader never sees
// half an object and a crash leaves no torn file behind.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import path from "node:path";

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

export class ObjectKeyError extends Error {
  override readonly name = "ObjectKeyError";
}

export class DirectoryObjectStore {
  constructor(readonly root: string) {}

  private file(key: string): string {
    // Segments never start with a dot, so `..` and hidden files cannot be named.
    if (!KEY.test(key)) throw new ObjectKeyError(`object key ${JSON.stringify(key)} is not made of safe path segments`);
    return path.join(this.root, key);
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.file(key);
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    // The directory usually exists (a job's log chunks share one): create it only when the write says it is missing.
    await writeFile(temporary, bytes).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(temporary, bytes);
    });
    await rename(temporary, file);
  }

  get(key: string): Promise<Buffer> {
    return readFile(this.file(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  /**
   * Streams `source` into `key` only when it is exactly `expect.sizeBytes` long and hashes to `expect.sha256`;
   * otherwise nothing is written and the answer says why. Reading stops as soon as the source is too long.
   */
  async putVerified(key: string, source: AsyncIterable<Uint8Array>, expect: { sha256: string; sizeBytes: number }): Promise<{ ok: true } | { ok: false; reason: "too_long" | "size_mismatch" | "hash_mismatch" }> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    const hash = createHash("sha256");
    let size = 0;
    async function* counted() {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > expect.sizeBytes) throw new TooLong();
        hash.update(chunk);
        yield chunk;
      }
    }
    try {
      await pipeline(Readable.from(counted()), createWriteStream(temporary));
      if (size !== expect.sizeBytes) return { ok: false, reason: "size_mismatch" };
      if (hash.digest("hex") !== expect.sha256) return { ok: false, reason: "hash_mismatch" };
      await rename(temporary, file);
      return { ok: true };
    } catch (error) {
      if (error instanceof TooLong) return { ok: false, reason: "too_long" };
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /**
   * Marks an existing object as just used (its mtime is now) and says whether it exists. A writer that finds the
   * bytes already there calls this before recording its row, so a concurrent `collect` keeps the object.
   */
  async touch(key: string): Promise<boolean> {
    const now = new Date();
    return utimes(this.file(key), now, now).then(
      () => true,
      () => false,
    );
  }

  /** Every object under `prefix` (a key prefix of whole segments), its size and when it was last written or touched. */
  async *list(prefix: string): AsyncIterable<{ key: string; sizeBytes: number; modifiedAt: Date }> {
    const top = this.file(prefix);
    const entries = await readdir(top, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.endsWith(".tmp") || entry.name.endsWith(RETIRING)) continue;
      const key = path.relative(this.root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/");
      const info = await stat(path.join(entry.parentPath, entry.name)).catch(() => undefined);
      if (info && KEY.test(key)) yield { key, sizeBytes: info.size, modifiedAt: info.mtime };
    }
  }

  /**
   * Deletes an object nothing needs: only when it was last written or touched before `unusedSince` and
   * `stillReferenced()` is false. It is first renamed aside, so a writer arriving meanwhile either touched it
   * before (the renamed file is fresh: it is put back) or finds it gone and writes the bytes again; the
   * reference check runs once more after the rename.
   */
  async collect(key: string, unusedSince: Date, stillReferenced: () => Promise<boolean>): Promise<"deleted" | "kept" | "missing"> {
    const file = this.file(key);
    const before = await stat(file).catch(() => undefined);
    if (!before) return "missing";
    if (before.mtime >= unusedSince || (await stillReferenced())) return "kept";
    const aside = `${file}.${process.pid}.${Date.now()}${RETIRING}`;
    try {
      await rename(file, aside);
    } catch {
      return "missing";
    }
    const after = await stat(aside);
    if (after.mtime >= unusedSince || (await stillReferenced())) {
      // Content-addressed: if a writer put the bytes back meanwhile, they are the same bytes.
      await rename(aside, file);
      return "kept";
    }
    await rm(aside, { force: true });
    return "deleted";
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.file(key)).then(
      (info) => info.isFile(),
      () => false,
    );
  }

  /** The object as a web stream (for a Response body). */
  open(key: string): ReadableStream<Uint8Array> {
    return Readable.toWeb(createReadStream(this.file(key))) as ReadableStream<Uint8Array>;
  }

  /** Bytes `start` to `end` (inclusive) of the object as a web stream (an HTTP range). */
  openRange(key: string, start: number, end: number): ReadableStream<Uint8Array> {
    return Readable.toWeb(createReadStream(this.file(key), { start, end })) as ReadableStream<Uint8Array>;
  }
}

class TooLong extends Error {}

const RETIRING = ".retiring";
