// Every sandbox gets a fresh directory tree on the host that is removed with it.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { mountQuotaVolume, type QuotaVolume } from "./disk-quota";
import type { SandboxPaths } from "./types";

export interface SandboxDirs extends SandboxPaths {
  root: string;
  /** Set when the directories live on a quota volume. */
  volume?: QuotaVolume;
}

export function createSandboxDirs(owner?: { uid: number; gid: number }, quotaBytes?: number): SandboxDirs {
  const root = mkdtempSync(path.join(os.tmpdir(), "gantry-sbx-"));
  // Traversable but not listable: the sandbox's own uid must reach its subdirectories.
  if (owner) chmodSync(root, 0o711);
  const volume = quotaBytes === undefined ? undefined : mountQuotaVolume(root, quotaBytes, owner);
  const base = volume?.dir ?? root;
  if (volume) chmodSync(base, 0o711);
  const dirs: SandboxDirs = { root, workspace: path.join(base, "workspace"), temp: path.join(base, "tmp"), runnerFiles: path.join(base, "runner"), ...(volume ? { volume } : {}) };
  for (const dir of [dirs.workspace, dirs.temp, dirs.runnerFiles]) {
    mkdirSync(dir, { mode: 0o700 });
    if (owner) chownSync(dir, owner.uid, owner.gid);
  }
  return dirs;
}

export function removeSandboxDirs(dirs: SandboxDirs): void {
  dirs.volume?.unmount();
  rmSync(dirs.root, { recursive: true, force: true, maxRetries: 3 });
}
