// The part of archiver 7's API the artifact download uses (the package ships no types and @types/archiver is not
// installed): a zip written entry by entry, read as a stream.
declare module "archiver" {
  import type { Readable } from "node:stream";

  interface EntryData {
    name: string;
    date?: Date;
    mode?: number;
    type?: "file" | "directory";
  }

  interface Archiver extends Readable {
    append(source: Readable | NodeJS.ReadableStream | Buffer | null, data: EntryData): this;
    symlink(filepath: string, target: string, mode?: number): this;
    finalize(): Promise<void>;
    abort(): this;
  }

  function archiver(format: "zip", options?: { zlib?: { level?: number } }): Archiver;
  export default archiver;
}
