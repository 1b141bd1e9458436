// Shared by the providers: spawn a command with stdout+stderr merged in one pipe, kill its whole process
// group on timeout or stop, and report how it ended.
import { spawn } from "node:child_process";
import type { Duplex, Readable, Writable } from "node:stream";
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
  /** Written to the child's fd 6 and closed: bwrap's seccomp program (`--seccomp 6`). */
  fd6?: Buffer;
  /** Called after exit so a provider can drop per-exec state. */
  onExit?: () => void;
  /** Two more pipes, fd 4 (the child writes) and fd 5 (the runner writes): bwrap's --info-fd and --block-fd. */
  handshake?: boolean;
}

export interface SpawnedExec extends SandboxProcess {
  /** With `handshake`: the child's fd 4 to read and fd 5 to write. */
  handshake?: { info: Duplex; block: Duplex };
}

export function spawnExec(options: SpawnOptions): SpawnedExec {
  // `exec 2>&1` makes the shell share one pipe for both streams, so their interleaving is the order written.
  const script = `${options.preamble ?? ""}\nexec "$@" 2>&1`;
  // fd 3: arguments; 4 and 5: the handshake; 6: the seccomp program. Unused ones stay closed in the child.
  const stdio: ("ignore" | "pipe")[] = ["ignore", "pipe", "ignore", options.fd3 ? "pipe" : "ignore"];
  if (options.handshake || options.fd6) stdio.push(...(options.handshake ? (["pipe", "pipe"] as const) : (["ignore", "ignore"] as const)));
  if (options.fd6) stdio.push("pipe");
  const child = spawn("/bin/sh", ["-c", script, "sh", ...options.argv], { cwd: options.cwd, env: options.env, stdio, detached: true });
  const output = child.stdout;
  if (!output) throw new Error("spawn gave no stdout pipe");
  const streams: (Readable | Writable | null | undefined)[] = [...child.stdio];
  for (const [fd, data] of [[3, options.fd3], [6, options.fd6]] as const) {
    const stream = streams[fd];
    if (!data || !stream || !("end" in stream)) continue;
    stream.on("error", () => undefined);
    stream.end(data);
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
  const [info, block] = child.stdio.slice(4) as (Duplex | null)[];
  return {
    output,
    ...(options.handshake && info && block ? { handshake: { info, block } } : {}),
    wait: () => done,
    stop: () => {
      stopped = true;
      killGroup();
    },
  };
}

/** An exec's time limit: what is left of the sandbox's wall time, or the request's own, whichever is shorter. */
export function execTimeoutMs(deadline: number | undefined, requested: number | undefined): number | undefined {
  const left = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
  if (left === undefined) return requested;
  return requested === undefined ? left : Math.min(left, requested);
}

/**
 * Preamble that moves the exec's shell into the sandbox's cgroups before anything of the job starts. `0` is the
 * writer itself; the shell is single-threaded, so joining with its one thread (v1 `tasks`) moves all of it.
 */
export function joinCgroupsScript(joinFiles: readonly string[]): string {
  return joinFiles.length > 0 ? `for f in ${joinFiles.map((f) => `'${f}'`).join(" ")}; do echo 0 > "$f" || exit 125; done` : "";
}

/** Stops every exec still running and waits until they have all ended. */
export async function stopAll(running: ReadonlySet<SandboxProcess>): Promise<void> {
  for (const child of running) child.stop();
  await Promise.all([...running].map((child) => child.wait()));
}
