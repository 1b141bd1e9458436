// The toolchains a job may use (SandboxSpec.tools) as every Linux sandbox mounts them: each Node runtime read-only
// at /opt/gantry/node<major>, the runner's tool cache at /opt/hostedtoolcache (GitHub's runners use the same
// path), writable only for trusted jobs. The host folders are the runner's own (never a job's), checked here to
// be absolute existing directories and the majors plain numbers, since both become mount arguments.
import { statSync } from "node:fs";
import path from "node:path";
import type { SandboxPaths, SandboxTools } from "./types";

export const TOOL_CACHE_INSIDE = "/opt/hostedtoolcache";
export const nodeRuntimeInside = (major: string) => `/opt/gantry/node${major}`;

export interface ToolMount {
  host: string;
  inside: string;
  writable: boolean;
}

export interface ToolLayout {
  mounts: ToolMount[];
  /** SandboxPaths.node / toolCache as processes inside see them. */
  paths: Pick<SandboxPaths, "node" | "toolCache">;
}

function hostDir(what: string, dir: string): string {
  if (!path.isAbsolute(dir) || dir.includes("\0")) throw new Error(`${what} is not an absolute path: ${JSON.stringify(dir)}`);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDir) throw new Error(`${what} is not a directory on the runner host: ${dir}`);
  return path.resolve(dir);
}

/** Where `tools` go inside a sandbox with its own filesystem (bwrap, gVisor). */
export function toolLayout(tools: SandboxTools | undefined): ToolLayout {
  const mounts: ToolMount[] = [];
  const paths: ToolLayout["paths"] = {};
  for (const [major, dir] of Object.entries(tools?.node ?? {})) {
    if (!/^\d{1,3}$/.test(major)) throw new Error(`Node runtime major ${JSON.stringify(major)} is not a number`);
    const inside = nodeRuntimeInside(major);
    mounts.push({ host: hostDir(`the Node ${major} runtime`, dir), inside, writable: false });
    (paths.node ??= {})[major] = `${inside}/bin/node`;
  }
  if (tools?.toolCache) {
    mounts.push({ host: hostDir("the tool cache", tools.toolCache.host), inside: TOOL_CACHE_INSIDE, writable: tools.toolCache.writable });
    paths.toolCache = TOOL_CACHE_INSIDE;
  }
  return { mounts, paths };
}

/** The same for a sandbox that shares the host's filesystem (process): inside == host. */
export function hostToolPaths(tools: SandboxTools | undefined): ToolLayout["paths"] {
  const paths: ToolLayout["paths"] = {};
  for (const [major, dir] of Object.entries(tools?.node ?? {})) (paths.node ??= {})[major] = path.join(hostDir(`the Node ${major} runtime`, dir), "bin", "node");
  if (tools?.toolCache) paths.toolCache = hostDir("the tool cache", tools.toolCache.host);
  return paths;
}

/**
 * Why a host path cannot be bound by a sandbox running as host uid `uid` (bwrap resolves bind sources as that uid),
 * or undefined when it can: every folder on the way must let it through, the mount itself be readable (and writable
 * when `writable`). Only the permission bits for "others" and the owner are considered (no ACLs, no groups: the
 * sandbox's uid has no supplementary groups).
 */
export function unreachableBy(uid: number, target: string, writable: boolean): string | undefined {
  const allows = (file: string, bits: { owner: number; other: number }) => {
    const stat = statSync(file);
    return stat.uid === uid ? (stat.mode & bits.owner) === bits.owner : (stat.mode & bits.other) === bits.other;
  };
  const resolved = path.resolve(target);
  const parts = resolved.split("/").filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const dir = `/${parts.slice(0, i).join("/")}`;
    if (!allows(dir, { owner: 0o100, other: 0o001 })) return `${dir} does not let others through (o+x)`;
  }
  const isDir = statSync(resolved).isDirectory();
  if (!allows(resolved, isDir ? { owner: 0o500, other: 0o005 } : { owner: 0o400, other: 0o004 })) return `${resolved} is not readable by others`;
  if (writable && !allows(resolved, { owner: 0o200, other: 0o002 })) return `${resolved} is not writable by others (a trusted job writes it)`;
  return undefined;
}
