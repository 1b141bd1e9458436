// A workspace quota: a sparse ext4 image of the quota's size, loop-mounted under the sandbox root, holding
// the workspace, /tmp and the runner files. Filling it fails the job's writes (ENOSPC), not the host's disk.
// Needs root and mkfs.ext4; detected, and reported as enforced only when the mount worked. Making one costs
// ~35 ms (truncate, mkfs, mount): warm-volumes.ts makes them ahead with mountQuotaVolumeAsync.
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { which } from "./host-tools";

export interface QuotaVolume {
  dir: string;
  /** No room left: a write failed with ENOSPC, or the next one will. */
  full(): boolean;
  unmount(): void;
}

// Less free than this counts as full: a write that failed with ENOSPC leaves a little behind that data cannot
// use (ext4's own reservations: about 1.4 MiB of a 1 GiB volume), so 1 MiB or 1% of the volume, the larger.
const FULL_BELOW_BYTES = 1024 * 1024;
const FULL_BELOW_SHARE = 0.01;

/** Whether the filesystem at `dir` has no room left (false when it cannot be read, e.g. unmounted). */
export function volumeFull(dir: string): boolean {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize < Math.max(FULL_BELOW_BYTES, stats.blocks * stats.bsize * FULL_BELOW_SHARE);
  } catch {
    return false;
  }
}

interface QuotaTools {
  mkfs: string;
  mount: string;
  umount: string;
}

/** The host tools, or undefined when this runner cannot make quota volumes (not root, no mkfs.ext4). */
export function quotaTools(): QuotaTools | undefined {
  const mkfs = which("mkfs.ext4");
  const mount = which("mount");
  const umount = which("umount");
  return process.getuid?.() === 0 && mkfs && mount && umount ? { mkfs, mount, umount } : undefined;
}

/** The commands that make the volume, in order; each must succeed. */
function makeCommands(tools: QuotaTools, image: string, dir: string, bytes: number, owner: { uid: number; gid: number } | undefined): [string, string[]][] {
  // One -E (mke2fs keeps only the last): no discard of the fresh sparse file, and the sandbox's uid owning the root.
  const extended = ["nodiscard", ...(owner ? [`root_owner=${owner.uid}:${owner.gid}`] : [])].join(",");
  return [
    // Sparse: the host spends only what the job writes.
    ["truncate", ["-s", String(bytes), image]],
    // No journal and no reserved blocks: the whole quota is the job's, and creating it stays fast.
    [tools.mkfs, ["-q", "-F", "-O", "^has_journal", "-m", "0", "-E", extended, image]],
    // noinit_itable: the image is a fresh sparse file whose inode tables already read as zeros; without it the
    // kernel's ext4lazyinit writes them out over the job's life (I/O, and the image stops being sparse).
    [tools.mount, ["-o", "loop,nosuid,nodev,noinit_itable", image, dir]],
  ];
}

function volume(tools: QuotaTools, image: string, dir: string): QuotaVolume {
  return {
    dir,
    full: () => volumeFull(dir),
    unmount: () => {
      // Lazy: a process of the job still dying must not keep the image mounted forever.
      spawnSync(tools.umount, ["-l", dir], { timeout: 30_000 });
      rmSync(image, { force: true });
    },
  };
}

function prepareFiles(root: string): { image: string; dir: string } {
  const image = path.join(root, "disk.img");
  const dir = path.join(root, "vol");
  mkdirSync(dir, { mode: 0o711 });
  writeFileSync(image, "");
  return { image, dir };
}

export function mountQuotaVolume(root: string, bytes: number, owner: { uid: number; gid: number } | undefined): QuotaVolume | undefined {
  const tools = quotaTools();
  if (!tools) return undefined;
  const { image, dir } = prepareFiles(root);
  for (const [command, args] of makeCommands(tools, image, dir, bytes, owner)) {
    if (spawnSync(command, args, { encoding: "utf8", timeout: 30_000 }).status !== 0) {
      rmSync(image, { force: true });
      return undefined;
    }
  }
  return volume(tools, image, dir);
}

/** The same without blocking the runner's event loop (for volumes made ahead while jobs run). */
export async function mountQuotaVolumeAsync(root: string, bytes: number): Promise<QuotaVolume | undefined> {
  const tools = quotaTools();
  if (!tools) return undefined;
  const { image, dir } = prepareFiles(root);
  try {
    for (const [command, args] of makeCommands(tools, image, dir, bytes, undefined)) await promisify(execFile)(command, args, { timeout: 30_000 });
  } catch {
    rmSync(image, { force: true });
    return undefined;
  }
  return volume(tools, image, dir);
}
