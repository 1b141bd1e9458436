// The local object store (DESIGN.md "Storage": a directory by default, S3-compatible in production): immutable
// objects under keys made of safe path segments. A put is atomic (temporary file + rename), so a reader never sees
// half an object and a crash leaves no torn file behind.
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
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
}
