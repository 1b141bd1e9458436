// Builds apps/web with `next build` when its sources (or the packages it bundles) are newer than the last
// build. A lock folder keeps two callers (the up-command, test setups) from building into .next at once.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SKIP = new Set(["node_modules", ".next", "test", ".turbo"]);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function webBuildIsFresh() {
  const buildId = path.join(root, "apps/web/.next/BUILD_ID");
  if (!existsSync(buildId)) return false;
  const sources = Math.max(...["apps/web", "packages"].map((dir) => newestMtime(path.join(root, dir))));
  return statSync(buildId).mtimeMs >= sources;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Builds when stale; returns true when it built. Throws when the build fails. */
export function ensureWebBuild({ log = console.log, env = process.env } = {}) {
  const lock = path.join(root, "apps/web/.next-build-lock");
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than 15 minutes was left by a killed build.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error("waited 10 minutes for another web build to finish");
      sleep(500);
    }
  }
  try {
    if (webBuildIsFresh()) return false;
    log("building the web app (next build; a minute or two the first time)");
    const result = spawnSync("npm", ["run", "build", "-w", "apps/web"], {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (result.status !== 0) throw new Error(`next build failed (exit ${result.status ?? result.signal})`);
    return true;
  } finally {
    rmdirSync(lock);
  }
}
