// `hashFiles(patterns…)` for expressions: SHA-256 over the SHA-256 of each matching regular file in the
// workspace, in path order, as GitHub computes it; '' when nothing matches. Runs on the host over files the job
// made, so it goes through safe-fs: directories are walked by descriptor and never through a link, only regular
// files are read (a link to a host file or a FIFO is skipped), and each is hashed in chunks, never held whole.
import { createHash } from "node:crypto";
import path from "node:path";
import { matchPatterns, type ExprFunction } from "@gantry/workflow-schema";
import { entryAt, namesIn, openDir, openRegularFile, openRoot, UnsafePathError, withFd, readChunks } from "./safe-fs";

// A workspace with more files than this is not worth stalling a step for.
const MAX_FILES = 200_000;

function walk(dirFd: number, relative: string, out: string[]): void {
  for (const name of namesIn(dirFd)) {
    if (out.length >= MAX_FILES) throw new Error(`hashFiles: more than ${MAX_FILES} files in the workspace`);
    const rel = relative === "" ? name : `${relative}/${name}`;
    const entry = entryAt(dirFd, name);
    if (entry?.isDirectory()) {
      let child: number;
      try {
        child = openDir(dirFd, name);
      } catch (error) {
        // Swapped for something else since the listing: not a directory of the workspace any more.
        if (error instanceof UnsafePathError) continue;
        throw error;
      }
      withFd(child, (fd) => walk(fd, rel, out));
    } else if (entry?.isFile()) out.push(rel);
  }
}

/** The file's SHA-256, or undefined when it is no longer a regular file reached without links. */
function fileDigest(rootFd: number, relative: string): Buffer | undefined {
  try {
    return withFd(openDir(rootFd, path.posix.dirname(relative)), (dir) => {
      const { fd } = openRegularFile(dir, path.posix.basename(relative));
      return withFd(fd, () => {
        const hash = createHash("sha256");
        readChunks(fd, (bytes) => hash.update(bytes));
        return hash.digest();
      });
    });
  } catch (error) {
    if (error instanceof UnsafePathError) return undefined;
    throw error;
  }
}

export function hashFiles(hostWorkspace: string, insideWorkspace: string): ExprFunction {
  return (...args) => {
    const patterns = args.map((a) => String(a ?? "")).map((p) => {
      const negated = p.startsWith("!");
      let body = negated ? p.slice(1) : p;
      // GitHub accepts patterns rooted at GITHUB_WORKSPACE as well as relative ones.
      if (body.startsWith(`${insideWorkspace}/`)) body = body.slice(insideWorkspace.length + 1);
      return (negated ? "!" : "") + body.replace(/^\.\//, "");
    });
    return withFd(openRoot(hostWorkspace), (root) => {
      const files: string[] = [];
      walk(root, "", files);
      const matched = files.filter((f) => matchPatterns(patterns, f)).sort();
      if (matched.length === 0) return "";
      const total = createHash("sha256");
      for (const file of matched) {
        const digest = fileDigest(root, file);
        if (digest) total.update(digest);
      }
      return total.digest("hex");
    });
  };
}
