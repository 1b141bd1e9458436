// Uploads in pieces (the actions toolkit's cache chunks and Azure blocks) before they become one content-addressed
// object. Each upload is a folder `uploads/<tenant>/<upload id>/` beside the object store's keys: a `meta.json`
// created exclusively (the reservation: a second one for the same id is refused), and its parts. Assembling streams
// the parts in order into the content-addressed key, hashing on the way; the folder is removed afterwards.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DirectoryObjectStore } from "./object-store";

const RESERVED = new Set(["meta.json", "result.json"]);
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export class UploadStagingError extends Error {
  override readonly name = "UploadStagingError";
}

export type PartWrite = { ok: true; sizeBytes: number } | { ok: false; reason: "too_long" };
export type Assembled = { ok: true; sha256: string; sizeBytes: number } | { ok: false; reason: "missing_part" | "too_long" };

export class UploadStaging {
  constructor(private readonly store: DirectoryObjectStore) {}

  private folder(tenantId: string, uploadId: string): string {
    for (const segment of [tenantId, uploadId]) if (!SEGMENT.test(segment)) throw new UploadStagingError(`${JSON.stringify(segment)} is not a safe upload path segment`);
    return path.join(this.store.root, "uploads", tenantId, uploadId);
  }

  private part(tenantId: string, uploadId: string, name: string): string {
    if (!SEGMENT.test(name) || RESERVED.has(name)) throw new UploadStagingError(`${JSON.stringify(name)} is not a safe part name`);
    return path.join(this.folder(tenantId, uploadId), name);
  }

  /** Reserves the upload: true when this call created it, false when it exists (and is younger than `staleBefore`, when given). */
  async reserve(tenantId: string, uploadId: string, meta: unknown, staleBefore?: Date): Promise<boolean> {
    const folder = this.folder(tenantId, uploadId);
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, "meta.json");
    try {
      await writeFile(file, JSON.stringify({ meta, createdAt: Date.now() }), { flag: "wx" });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (!staleBefore) return false;
    const info = await stat(file).catch(() => undefined);
    if (info && info.mtime >= staleBefore) return false;
    // An abandoned reservation: start over.
    await rm(folder, { recursive: true, force: true });
    return this.reserve(tenantId, uploadId, meta);
  }

  /** The metadata the upload was reserved with, or undefined when there is no such upload. */
  async meta(tenantId: string, uploadId: string): Promise<unknown> {
    const text = await readFile(path.join(this.folder(tenantId, uploadId), "meta.json"), "utf8").catch(() => undefined);
    if (text === undefined) return undefined;
    return (JSON.parse(text) as { meta: unknown }).meta;
  }

  /** Writes one part (atomically: a retried part replaces the earlier one whole), at most `maxBytes` long. */
  async writePart(tenantId: string, uploadId: string, name: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<PartWrite> {
    const file = this.part(tenantId, uploadId, name);
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    let size = 0;
    async function* counted() {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) throw new TooLong();
        yield chunk;
      }
    }
    try {
      await pipeline(Readable.from(counted()), createWriteStream(temporary));
      await rename(temporary, file);
      return { ok: true, sizeBytes: size };
    } catch (error) {
      if (error instanceof TooLong) return { ok: false, reason: "too_long" };
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /** The parts written so far, with their sizes. */
  async parts(tenantId: string, uploadId: string): Promise<{ name: string; sizeBytes: number }[]> {
    const folder = this.folder(tenantId, uploadId);
    const names = (await readdir(folder).catch(() => [] as string[])).filter((name) => !RESERVED.has(name) && !name.endsWith(".tmp") && SEGMENT.test(name));
    return Promise.all(names.map(async (name) => ({ name, sizeBytes: (await stat(path.join(folder, name))).size })));
  }

  /**
   * Streams `names` in order into a temporary file, hashing, then moves it to `keyOf(sha256)` in the store (or only
   * touches the object there when the same bytes exist already). Nothing is stored when a part is missing or the
   * whole is longer than `maxBytes`.
   */
  async assemble(tenantId: string, uploadId: string, names: string[], keyOf: (sha256: string) => string, maxBytes: number): Promise<Assembled> {
    const files = names.map((name) => this.part(tenantId, uploadId, name));
    for (const file of files) if (!(await stat(file).catch(() => undefined))?.isFile()) return { ok: false, reason: "missing_part" };
    const temporary = path.join(this.folder(tenantId, uploadId), `assembled.${process.pid}.${Date.now()}.tmp`);
    const hash = createHash("sha256");
    let size = 0;
    async function* concatenated() {
      for (const file of files) {
        for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) throw new TooLong();
          hash.update(chunk);
          yield chunk;
        }
      }
    }
    try {
      await pipeline(Readable.from(concatenated()), createWriteStream(temporary));
      const sha256 = hash.digest("hex");
      const key = keyOf(sha256);
      // Touched, not rewritten, when present: the retention sweep keeps an object a writer is about to record.
      if (!(await this.store.touch(key))) {
        await mkdir(path.dirname(path.join(this.store.root, key)), { recursive: true });
        await rename(temporary, path.join(this.store.root, key));
      }
      return { ok: true, sha256, sizeBytes: size };
    } catch (error) {
      if (error instanceof TooLong) return { ok: false, reason: "too_long" };
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /** Records what the upload became (an assembled object) until it is finalized. */
  async complete(tenantId: string, uploadId: string, result: unknown): Promise<void> {
    const file = path.join(this.folder(tenantId, uploadId), "result.json");
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, JSON.stringify(result));
    await rename(temporary, file);
  }

  /** What `complete` recorded, or undefined. */
  async result(tenantId: string, uploadId: string): Promise<unknown> {
    const text = await readFile(path.join(this.folder(tenantId, uploadId), "result.json"), "utf8").catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  /**
   * Removes every upload nothing wrote to since `olderThan` (a job that reserved and never committed); the number
   * removed. An upload still being written has a part or its reservation newer than that and stays.
   */
  async sweep(olderThan: Date): Promise<number> {
    const top = path.join(this.store.root, "uploads");
    let removed = 0;
    for (const tenantId of await readdir(top).catch(() => [] as string[])) {
      if (!SEGMENT.test(tenantId)) continue;
      for (const uploadId of await readdir(path.join(top, tenantId)).catch(() => [] as string[])) {
        if (!SEGMENT.test(uploadId)) continue;
        const folder = this.folder(tenantId, uploadId);
        const files = await readdir(folder).catch(() => [] as string[]);
        const times = await Promise.all(files.map(async (name) => (await stat(path.join(folder, name)).catch(() => undefined))?.mtime.getTime() ?? 0));
        const latest = Math.max((await stat(folder).catch(() => undefined))?.mtime.getTime() ?? 0, ...times);
        if (latest >= olderThan.getTime()) continue;
        await rm(folder, { recursive: true, force: true });
        removed += 1;
      }
    }
    return removed;
  }

  /** Forgets the upload and its parts. */
  async remove(tenantId: string, uploadId: string): Promise<void> {
    await rm(this.folder(tenantId, uploadId), { recursive: true, force: true });
  }
}

class TooLong extends Error {}
