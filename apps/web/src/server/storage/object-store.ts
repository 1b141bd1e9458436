// The local object store (DESIGN.md "Storage": a directory by default, S3-compatible in production): immutable
// objects under keys made of safe path segments. A put is atomic (temporary file + rename), so a reader never sees
// half an object and a crash leaves no torn file behind.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
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
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, bytes);
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
}

class TooLong extends Error {}
