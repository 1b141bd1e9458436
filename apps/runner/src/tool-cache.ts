// The runner's tool cache (RUNNER_TOOL_CACHE) as sandboxes may use it. A root runner's bwrap sandboxes run as uids of
// their own and bind the folder as that uid, so a cache under a private home (/root/.gantry) would make every job's
// sandbox refuse to start: the cache is then left out (or given read-only) with one clear line in the runner's log,
// and jobs run without it rather than not at all.
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { unreachableBy } from "./sandbox/tool-mounts";

/** An id no file belongs to: unreachableBy then judges by the bits for others, as a sandbox uid sees them. */
const SOME_SANDBOX_UID = 0x7ffffffe;

export interface ToolCacheAccess {
  host: string;
  /** What sandboxes of other uids can do with it: readable and writable, readable only, or nothing. */
  access: "rw" | "ro" | "none";
  /** Why not rw, for the log. */
  why?: string;
}

/** Creates the folder when missing (mode 1777: trusted jobs of every sandbox uid add versions, sticky like /tmp). */
export function prepareToolCache(host: string): ToolCacheAccess {
  if (!existsSync(host)) {
    mkdirSync(host, { recursive: true });
    chmodSync(host, 0o1777);
  }
  if (process.getuid?.() !== 0) return { host, access: "rw" };
  const unreadable = unreachableBy(SOME_SANDBOX_UID, host, false);
  if (unreadable) return { host, access: "none", why: unreadable };
  const unwritable = unreachableBy(SOME_SANDBOX_UID, host, true);
  return unwritable ? { host, access: "ro", why: unwritable } : { host, access: "rw" };
}

/**
 * SandboxSpec.tools.toolCache for one job, or undefined when its sandbox cannot use the cache. The `process`
 * provider runs as the runner itself: what others may do does not matter to it.
 */
export function toolCacheFor(cache: ToolCacheAccess | undefined, trusted: boolean, provider: string): { host: string; writable: boolean } | undefined {
  if (!cache) return undefined;
  if (provider === "process") return { host: cache.host, writable: trusted };
  if (cache.access === "none") return undefined;
  return { host: cache.host, writable: trusted && cache.access === "rw" };
}
