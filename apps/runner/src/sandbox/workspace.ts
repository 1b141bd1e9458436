// Every sandbox gets a fresh directory tree on the host that is removed with it. With a disk limit the tree's
// writable part is a quota volume: taken ready-made from the warm spares when one of the size waits there,
// else made now.
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { mountQuotaVolume, type QuotaVolume } from "./disk-quota";
import type { SandboxPaths } from "./types";
import { INSIDE, INSIDE_HOME } from "./inside";
import { VOLUME_DIRS, warmQuotaVolumes } from "./warm-volumes";

/** The binds inside HOME (the workspace, the runner files), as names under it. */
export const HOME_MOUNT_POINTS = [INSIDE.workspace, INSIDE.runnerFiles].map((inside) => path.posix.relative(INSIDE_HOME, inside));

export interface SandboxDirs extends SandboxPaths {
  root: string;
  /**
   * HOME for sandboxes that start a fresh namespace per exec (bwrap, gVisor): kept for the job's life, as on GitHub's
   * runners, so `~/.npm`, `~/.cache/pip` and what setup actions write there reach later steps and post steps.
   */
  home: string;
  /** Set when the directories live on a quota volume. */
  volume?: QuotaVolume;
}

type Owner = { uid: number; gid: number };

function rootAndVolume(owner: Owner | undefined, quotaBytes: number | undefined): { root: string; volume?: QuotaVolume; made: boolean } {
  const spare = quotaBytes === undefined ? undefined : warmQuotaVolumes.take(quotaBytes);
  if (spare) {
    // Made before anyone owned it: the sandbox's uid gets the volume's root, as mkfs's root_owner gives it below.
    if (owner) chownSync(spare.volume.dir, owner.uid, owner.gid);
    return { root: spare.root, volume: spare.volume, made: true };
  }
  const root = mkdtempSync(path.join(os.tmpdir(), "gantry-sbx-"));
  const volume = quotaBytes === undefined ? undefined : mountQuotaVolume(root, quotaBytes, owner);
  return volume ? { root, volume, made: false } : { root, made: false };
}

export function createSandboxDirs(owner?: Owner, quotaBytes?: number): SandboxDirs {
  const { root, volume, made } = rootAndVolume(owner, quotaBytes);
  // Traversable but not listable: the sandbox's own uid must reach its subdirectories.
  if (owner) chmodSync(root, 0o711);
  const base = volume?.dir ?? root;
  if (volume) chmodSync(base, 0o711);
  const dirs: SandboxDirs = {
    root,
    workspace: path.join(base, VOLUME_DIRS.workspace),
    temp: path.join(base, VOLUME_DIRS.temp),
    runnerFiles: path.join(base, VOLUME_DIRS.runnerFiles),
    home: path.join(base, VOLUME_DIRS.home),
    ...(volume ? { volume } : {}),
  };
  for (const dir of [dirs.workspace, dirs.temp, dirs.runnerFiles, dirs.home]) {
    if (!made) mkdirSync(dir, { mode: 0o700 });
    if (owner) chownSync(dir, owner.uid, owner.gid);
  }
  return dirs;
}

export function removeSandboxDirs(dirs: SandboxDirs): void {
  dirs.volume?.unmount();
  rmSync(dirs.root, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Before an exec binds the workspace and runner files inside HOME: the mount points there must be plain directories
 * (or absent). HOME is the job's, so between execs a job could have left a link where the next bind lands; it is
 * removed (lstat and unlink never follow it) and the bind makes a fresh directory.
 */
export function resetMountPoints(home: string, names: readonly string[]): void {
  for (const name of names) {
    const target = path.join(home, name);
    const stat = lstatSync(target, { throwIfNoEntry: false });
    if (stat && !stat.isDirectory()) unlinkSync(target);
  }
}
