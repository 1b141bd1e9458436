// A workspace quota: a sparse ext4 image of the quota's size, loop-mounted under the sandbox root, holding
// the workspace, /tmp and the runner files. Filling it fails the job's writes (ENOSPC), not the host's disk.
// Needs root and mkfs.ext4; detected, and reported as enforced only when the mount worked.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { which } from "./host-tools";

export interface QuotaVolume {
  dir: string;
  /** No room left: a write failed with ENOSPC, or the next one will. */
  full(): boolean;
  unmount(): void;
}

// Less than this free counts as full: a write that failed with ENOSPC leaves at most a few blocks behind.
const FULL_BELOW_BYTES = 1024 * 1024;

/** Whether the filesystem at `dir` has no room left (false when it cannot be read, e.g. unmounted). */
export function volumeFull(dir: string): boolean {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize < FULL_BELOW_BYTES;
  } catch {
    return false;
  }
}

const run = (command: string, args: string[]) => spawnSync(command, args, { encoding: "utf8", timeout: 30_000 });

export function mountQuotaVolume(root: string, bytes: number, owner: { uid: number; gid: number } | undefined): QuotaVolume | undefined {
  const mkfs = which("mkfs.ext4");
  const mount = which("mount");
  const umount = which("umount");
  if (process.getuid?.() !== 0 || !mkfs || !mount || !umount) return undefined;
  const image = path.join(root, "disk.img");
  const dir = path.join(root, "vol");
  mkdirSync(dir, { mode: 0o711 });
  writeFileSync(image, "");
  // Sparse: the host spends only what the job writes.
  if (run("truncate", ["-s", String(bytes), image]).status !== 0) return undefined;
  const rootOwner = owner ? ["-E", `root_owner=${owner.uid}:${owner.gid}`] : [];
  // No journal and no reserved blocks: the whole quota is the job's, and creating it stays fast.
  if (run(mkfs, ["-q", "-F", "-O", "^has_journal", "-m", "0", ...rootOwner, image]).status !== 0) {
    rmSync(image, { force: true });
    return undefined;
  }
  if (run(mount, ["-o", "loop,nosuid,nodev", image, dir]).status !== 0) {
    rmSync(image, { force: true });
    return undefined;
  }
  return {
    dir,
    full: () => volumeFull(dir),
    unmount: () => {
      // Lazy: a process of the job still dying must not keep the image mounted forever.
      run(umount, ["-l", dir]);
      rmSync(image, { force: true });
    },
  };
}
