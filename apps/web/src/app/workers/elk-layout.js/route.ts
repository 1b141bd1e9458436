// elkjs's Web Worker build (`elkjs/lib/elk-worker.min.js`, a self-contained classic worker script), served as is for
// the run graph's layout thread (runs/[runId]/run-graph/use-elk-layout.ts). Served here rather than bundled: Next's
// Turbopack build copies `new Worker(new URL(…, import.meta.url))` targets as plain files instead of bundling them
// as workers, and this file needs no bundling. Public: it is the published library, nothing of a tenant's.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

let script: Promise<string> | undefined;

export async function GET(): Promise<Response> {
  script ??= readFile(createRequire(path.join(process.cwd(), "package.json")).resolve("elkjs/lib/elk-worker.min.js"), "utf8");
  return new Response(await script, { headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=86400" } });
}
