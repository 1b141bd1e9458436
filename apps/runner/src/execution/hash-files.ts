// `hashFiles(patterns…)` for expressions: SHA-256 over the SHA-256 of each matching regular file in the
// workspace, in path order, as GitHub computes it; '' when nothing matches. Runs on the host, so it never
// follows a symlink the job planted (it would hash a host file).
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { matchPatterns, type ExprFunction } from "@gantry/workflow-schema";

// A workspace with more files than this is not worth stalling a step for.
const MAX_FILES = 200_000;

function walk(root: string, relative: string, out: string[]): void {
  for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
    if (out.length >= MAX_FILES) throw new Error(`hashFiles: more than ${MAX_FILES} files in the workspace`);
    const rel = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) walk(root, rel, out);
    else if (entry.isFile()) out.push(rel);
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
    const files: string[] = [];
    walk(hostWorkspace, "", files);
    const matched = files.filter((f) => matchPatterns(patterns, f)).sort();
    if (matched.length === 0) return "";
    const total = createHash("sha256");
    for (const file of matched) {
      const full = path.join(hostWorkspace, file);
      if (!lstatSync(full).isFile()) continue;
      total.update(createHash("sha256").update(readFileSync(full)).digest());
    }
    return total.digest("hex");
  };
}
