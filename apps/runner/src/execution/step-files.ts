// The files the runner puts in a sandbox's runner-file directory (step scripts, GITHUB_OUTPUT/ENV/PATH/
// STEP_SUMMARY, the event) and reads back after a step. The job can write that directory, so every access goes
// through safe-fs: whatever a previous step left at a name (a link to a host file, a FIFO) is removed, never
// followed, and the new file is created exclusively and handed to the sandbox's uid by descriptor.
import path from "node:path";
import { STEP_SUMMARY_MAX_BYTES } from "@gantry/runner-protocol";
import type { Sandbox } from "../sandbox/types";
import type { StepFiles } from "./github-env";
import { openRoot, ownerToGive, readRegularFile, replaceFile, UnsafePathError, withFd } from "./safe-fs";

// Half GitHub's 1 MiB, so a step report fits the protocol's 1 MiB body; a bigger summary fails the step.
export const MAX_SUMMARY_BYTES = STEP_SUMMARY_MAX_BYTES;
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Writes `name` afresh in the runner-file directory, owned by the sandbox's uid; throws UnsafePathError. */
export function writeRunnerFile(sandbox: Sandbox, name: string, data: string, mode: number): void {
  withFd(openRoot(sandbox.hostPaths.runnerFiles), (dir) => replaceFile(dir, name, data, { mode, ...withOwner(ownerToGive(dir)) }));
}

const withOwner = (owner: ReturnType<typeof ownerToGive>) => (owner ? { owner } : {});

/** Creates each step's file-command files empty; `host` holds their names in the runner-file directory. */
export function createStepFiles(sandbox: Sandbox, index: number): { inside: StepFiles; host: StepFiles } {
  const names: StepFiles = { output: `output_${index}`, env: `env_${index}`, path: `path_${index}`, summary: `summary_${index}` };
  const root = sandbox.paths.runnerFiles;
  for (const name of Object.values(names)) writeRunnerFile(sandbox, name, "", 0o600);
  return { inside: { output: path.posix.join(root, names.output), env: path.posix.join(root, names.env), path: path.posix.join(root, names.path), summary: path.posix.join(root, names.summary) }, host: names };
}

/** The job's `github.event` as JSON at GITHUB_EVENT_PATH (github-env.ts), readable by the sandbox's uid. */
export function writeEventFile(sandbox: Sandbox, event: unknown): void {
  writeRunnerFile(sandbox, "event.json", JSON.stringify(event ?? {}), 0o644);
}

export type ReadResult = { ok: true; text: string } | { ok: false; error: string };

/** A file the step may have replaced with anything (a link to a host file, a FIFO, a huge file); "" when absent. */
export function readStepFile(sandbox: Sandbox, name: string): ReadResult {
  return withFd(openRoot(sandbox.hostPaths.runnerFiles), (dir) => readJobFile(dir, name));
}

/** `name` in the directory open at `dirFd`, read by safe-fs rules (no link, regular file only), size-capped. */
export function readJobFile(dirFd: number, name: string): ReadResult {
  try {
    return { ok: true, text: readRegularFile(dirFd, name, MAX_FILE_BYTES) ?? "" };
  } catch (error) {
    if (error instanceof UnsafePathError) return { ok: false, error: error.message };
    throw error;
  }
}
