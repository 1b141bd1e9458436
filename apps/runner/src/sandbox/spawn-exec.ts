// Shared by the providers: spawn a command with stdout+stderr merged in one pipe, kill its whole process
// group on timeout or stop, and report how it ended.
import { spawn } from "node:child_process";
import type { ExecResult, SandboxProcess } from "./types";

export interface SpawnOptions {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs?: number;
  /** Shell code run before the command (in the merging shell, on the host). */
  preamble?: string;
  /** Written to the child's fd 3 and closed: arguments that must not show in the host's process list. */
  fd3?: Buffer;
  /** Called after exit so a provider can drop per-exec state. */
  onExit?: () => void;
}

export function spawnExec(options: SpawnOptions): SandboxProcess {
  // `exec 2>&1` makes the shell share one pipe for both streams, so their interleaving is the order written.
  const script = `${options.preamble ?? ""}\nexec "$@" 2>&1`;
  const stdio: ("ignore" | "pipe")[] = options.fd3 ? ["ignore", "pipe", "ignore", "pipe"] : ["ignore", "pipe", "ignore"];
  const child = spawn("/bin/sh", ["-c", script, "sh", ...options.argv], { cwd: options.cwd, env: options.env, stdio, detached: true });
  const output = child.stdout;
  if (!output) throw new Error("spawn gave no stdout pipe");
  const fd3 = child.stdio[3];
  if (options.fd3 && fd3 && "end" in fd3) {
    fd3.on("error", () => undefined);
    fd3.end(options.fd3);
  }
  let timedOut = false;
  let stopped = false;
  const killGroup = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    killGroup();
  }, options.timeoutMs);
  const done = new Promise<ExecResult>((resolve) => {
    child.once("error", () => resolve({ exitCode: 127, signal: null, timedOut, stopped }));
    child.once("exit", (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      // The shell is gone; anything it left in its group goes too.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Nothing left.
        }
      }
      options.onExit?.();
      resolve({ exitCode, signal, timedOut, stopped });
    });
  });
  return {
    output,
    wait: () => done,
    stop: () => {
      stopped = true;
      killGroup();
    },
  };
}
