// Every sandbox gets a fresh directory tree on the host that is removed with it.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SandboxPaths } from "./types";

export interface SandboxDirs extends SandboxPaths {
  root: string;
}

export function createSandboxDirs(owner?: { uid: number; gid: number }): SandboxDirs {
  const root = mkdtempSync(path.join(os.tmpdir(), "gantry-sbx-"));
  // Traversable but not listable: the sandbox's own uid must reach its subdirectories.
  if (owner) chmodSync(root, 0o711);
  const dirs: SandboxDirs = { root, workspace: path.join(root, "workspace"), temp: path.join(root, "tmp"), runnerFiles: path.join(root, "runner") };
  for (const dir of [dirs.workspace, dirs.temp, dirs.runnerFiles]) {
    mkdirSync(dir, { mode: 0o700 });
    if (owner) chownSync(dir, owner.uid, owner.gid);
  }
  return dirs;
}

export function removeSandboxDirs(dirs: SandboxDirs): void {
  rmSync(dirs.root, { recursive: true, force: true, maxRetries: 3 });
}
