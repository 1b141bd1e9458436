// An artifact as the zip a person downloads. Artifacts are stored as their uploader made them: the native
// upload-artifact's deterministic tar.gz, or the zip @actions/artifact (upload-artifact@v4+) uploaded. A zip is
// served as is; a tar.gz is rewritten into a zip entry by entry while it streams (node-tar parses, archiver writes),
// never held whole in memory. Links stay links; devices, FIFOs and the like are not in our archives and are skipped.
import { once } from "node:events";
import { PassThrough, Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import archiver from "archiver";
import type { DirectoryObjectStore } from "@gantry/storage";
import { Parser, type ReadEntry } from "tar";

/** `PK\x03\x04` (a zip with entries) or `PK\x05\x06` (an empty zip); a tar.gz starts with gzip's 1f 8b. */
const isZipMagic = (head: Buffer) => head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));

async function head(store: DirectoryObjectStore, objectKey: string, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.fromWeb(store.openRange(objectKey, 0, bytes - 1) as WebReadableStream<Uint8Array>)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Whether the stored object is already a zip (an upload-artifact@v4 artifact). */
export async function storedAsZip(store: DirectoryObjectStore, objectKey: string): Promise<boolean> {
  return isZipMagic(await head(store, objectKey, 4));
}

/** A node stream of the zip made from a tar.gz stream; it errors (and stops) when the tar.gz is not one. */
export function zipFromTarGz(tarGz: Readable): Readable {
  const zip = archiver("zip", { zlib: { level: 6 } });
  const out = new PassThrough();
  const fail = (error: Error) => {
    zip.abort();
    out.destroy(error);
  };
  zip.on("error", fail);
  zip.pipe(out);
  // A download cancelled half way (the browser went away): stop reading the object instead of stalling on it.
  out.on("close", () => {
    if (out.readableEnded) return;
    zip.abort();
    tarGz.destroy();
  });
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      // Archives hold workspace-relative paths; "./x" and "x" are one name in a zip.
      const name = entry.path.replace(/^(\.\/)+/, "");
      const date = entry.mtime ?? new Date(0);
      const mode = entry.mode ?? undefined;
      if (name === "" || name === ".") entry.resume();
      else if (entry.type === "File" || entry.type === "OldFile" || entry.type === "ContiguousFile") zip.append(Readable.from(entry), { name, date, ...(mode !== undefined ? { mode } : {}) });
      else if (entry.type === "Directory") {
        zip.append(null, { name: name.endsWith("/") ? name : `${name}/`, date, type: "directory" });
        entry.resume();
      } else if (entry.type === "SymbolicLink" && entry.linkpath) {
        zip.symlink(name, entry.linkpath);
        entry.resume();
      } else entry.resume();
    },
  });
  parser.on("error", fail);
  parser.on("end", () => {
    void zip.finalize().catch(fail);
  });
  void (async () => {
    for await (const chunk of tarGz) if (!parser.write(chunk as Buffer)) await once(parser, "drain");
    parser.end();
  })().catch(fail);
  return out;
}

/** The artifact's zip as a web stream for a Response body. */
export async function artifactZip(store: DirectoryObjectStore, objectKey: string): Promise<ReadableStream<Uint8Array>> {
  if (await storedAsZip(store, objectKey)) return store.open(objectKey);
  const tarGz = Readable.fromWeb(store.open(objectKey) as WebReadableStream<Uint8Array>);
  return Readable.toWeb(zipFromTarGz(tarGz)) as ReadableStream<Uint8Array>;
}
