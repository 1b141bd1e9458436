// The statx compatibility shim every gVisor sandbox preloads (apps/runner/gvisor/statx-shim.c explains why),
// compiled once per source version with the host's C compiler and cached under the state dir.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { which } from "./host-tools";

export const SHIM_SOURCE = fileURLToPath(new URL("../../gvisor/statx-shim.c", import.meta.url));

/** Why the shim cannot be built here, or undefined when it can. */
export function missingShimCompiler(): string | undefined {
  return which("cc") ? undefined : "no C compiler to build the statx shim (apt-get install gcc)";
}

/** The shim's path, building it first when this source version has not been built yet. */
export function ensureStatxShim(stateDir: string): string {
  const source = readFileSync(SHIM_SOURCE);
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const dir = path.join(stateDir, "gvisor");
  const shim = path.join(dir, `statx-shim-${hash}.so`);
  if (existsSync(shim)) return shim;
  const compiler = which("cc");
  if (!compiler) throw new Error(missingShimCompiler());
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  // Built beside and renamed into place, so a concurrent runner never preloads a half-written library.
  const partial = `${shim}.${process.pid}.tmp`;
  const built = spawnSync(compiler, ["-O2", "-shared", "-fPIC", "-nostartfiles", "-o", partial, SHIM_SOURCE], { encoding: "utf8", timeout: 60_000 });
  if (built.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`building the gVisor statx shim failed: ${(built.stderr || built.error?.message || `exit ${built.status}`).trim()}`);
  }
  chmodSync(partial, 0o755);
  renameSync(partial, shim);
  return shim;
}
