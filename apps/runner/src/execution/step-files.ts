// Per-step file-command files, created empty in the sandbox's runner directory and writable by the
// sandbox's own uid; read back on the host after the step.
import { chownSync, closeSync, constants, existsSync, fstatSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { STEP_SUMMARY_MAX_BYTES } from "@gantry/runner-protocol";
import type { Sandbox } from "../sandbox/types";
import type { StepFiles } from "./github-env";

// Half GitHub's 1 MiB, so a step report fits the protocol's 1 MiB body; a bigger summary fails the step.
export const MAX_SUMMARY_BYTES = STEP_SUMMARY_MAX_BYTES;
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export function createStepFiles(sandbox: Sandbox, index: number): { inside: StepFiles; host: StepFiles } {
  const names: StepFiles = { output: `output_${index}`, env: `env_${index}`, path: `path_${index}`, summary: `summary_${index}` };
  const owner = statSync(sandbox.hostPaths.runnerFiles);
  const at = (root: string): StepFiles => ({ output: path.posix.join(root, names.output), env: path.posix.join(root, names.env), path: path.posix.join(root, names.path), summary: path.posix.join(root, names.summary) });
  const host = at(sandbox.hostPaths.runnerFiles);
  for (const file of Object.values(host)) {
    // A previous step may have planted a symlink here: remove it, then create exclusively.
    rmSync(file, { force: true });
    writeFileSync(file, "", { mode: 0o600, flag: "wx" });
    if (process.getuid?.() === 0) chownSync(file, owner.uid, owner.gid);
  }
  return { inside: at(sandbox.paths.runnerFiles), host };
}

/** The job's `github.event` as JSON at GITHUB_EVENT_PATH (github-env.ts), readable by the sandbox's uid. */
export function writeEventFile(sandbox: Sandbox, event: unknown): void {
  const file = path.join(sandbox.hostPaths.runnerFiles, "event.json");
  rmSync(file, { force: true });
  writeFileSync(file, JSON.stringify(event ?? {}), { mode: 0o644, flag: "wx" });
  if (process.getuid?.() === 0) {
    const owner = statSync(sandbox.hostPaths.runnerFiles);
    chownSync(file, owner.uid, owner.gid);
  }
}

/**
 * A file the step may have replaced with anything: a symlink to a host file (the runner may be root),
 * a FIFO, a huge file. Opened without following links, checked on the open descriptor.
 */
export function readStepFile(file: string): { ok: true; text: string } | { ok: false; error: string } {
  if (!existsSync(file)) return { ok: true, text: "" };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return { ok: false, error: `${path.basename(file)} is not a regular file` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, error: `${path.basename(file)} is not a regular file` };
    if (stat.size > MAX_FILE_BYTES) return { ok: false, error: `${path.basename(file)} is larger than ${MAX_FILE_BYTES} bytes` };
    return { ok: true, text: readFileSync(fd, "utf8") };
  } finally {
    closeSync(fd);
  }
}
