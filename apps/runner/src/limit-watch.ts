// Names the limits a job runs into, for any provider: wraps the job's sandbox so that when an exec ends, the
// sandbox's counters (OOM kills, refused forks, a full disk volume) are compared with what they were, and the
// exec's own end is read for SIGXFSZ and the job's wall time. Each new hit is written as an `##[error]` line at
// the end of that exec's output (so the step's log says it) and kept for the job's failure reason.
import type { ExecRequest, ExecResult, LimitEvents, Sandbox, SandboxLimits, SandboxProcess } from "./sandbox/types";
import { NO_LIMIT_EVENTS } from "./sandbox/types";

export type LimitName = "memory" | "pids" | "disk" | "fileSize" | "wallTime";

export interface LimitWatch {
  /** The job's sandbox, with every exec watched. */
  readonly sandbox: Sandbox;
  /** The limits hit so far, worded for people, in the order hit; each limit once. */
  hits(): string[];
}

// A process killed by SIGXFSZ, as the shell around it reports it (128 + signal 25).
const SIGXFSZ_EXIT = 128 + 25;

/** 4 GiB, 64 MiB, 1.5 GiB: the unit that keeps the number readable. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** What the job's log and failure reason say for a limit it hit. */
export function limitHitText(name: LimitName, limits: SandboxLimits): string {
  const value = (bytes: number | undefined) => (bytes === undefined ? "" : ` ${formatBytes(bytes)}`);
  switch (name) {
    case "memory":
      return `killed: memory limit${value(limits.memoryBytes)} reached`;
    case "pids":
      return `process limit${limits.pids === undefined ? "" : ` ${limits.pids}`} reached: new processes were refused`;
    case "disk":
      return `disk limit${value(limits.diskBytes)} reached: the workspace volume is full`;
    case "fileSize":
      return `killed: file size limit${value(limits.fileSizeBytes)} reached (SIGXFSZ)`;
    case "wallTime": {
      const minutes = limits.wallTimeMs === undefined ? undefined : limits.wallTimeMs / 60_000;
      return `killed: time limit${minutes === undefined ? "" : ` ${Number.isInteger(minutes) ? minutes : minutes.toFixed(2)} minutes`} reached`;
    }
  }
}

/** `startedAt`: taken before prepare(), so an exec killed at the sandbox's deadline is always past it. */
export function watchLimits(inner: Sandbox, limits: SandboxLimits, startedAt: number = Date.now()): LimitWatch {
  const named: LimitName[] = [];
  let seen: LimitEvents = NO_LIMIT_EVENTS;

  /** The limits this exec's end newly shows, recorded once per job. */
  const check = (result: ExecResult): LimitName[] => {
    const events = inner.limitEvents();
    const failed = result.exitCode !== 0;
    const found: LimitName[] = [];
    if (events.oomKills > seen.oomKills) found.push("memory");
    if (events.forksRefused > seen.forksRefused) found.push("pids");
    // A full volume after a failed exec: what failed was a write (a job may legitimately end with its disk full).
    if (events.diskFull && failed) found.push("disk");
    if (inner.enforced.fileSize && (result.signal === "SIGXFSZ" || result.exitCode === SIGXFSZ_EXIT)) found.push("fileSize");
    if (result.timedOut && limits.wallTimeMs !== undefined && Date.now() - startedAt >= limits.wallTimeMs) found.push("wallTime");
    seen = events;
    const fresh = found.filter((name) => !named.includes(name));
    named.push(...fresh);
    return fresh;
  };

  const watched = (child: SandboxProcess): SandboxProcess => {
    let ended: Promise<{ result: ExecResult; fresh: LimitName[] }> | undefined;
    const end = () => (ended ??= child.wait().then((result) => ({ result, fresh: check(result) })));
    async function* output(): AsyncGenerator<Buffer> {
      let last: Buffer | undefined;
      for await (const chunk of child.output) {
        last = chunk;
        yield chunk;
      }
      const { fresh } = await end();
      if (fresh.length === 0) return;
      const lead = last !== undefined && last.length > 0 && last[last.length - 1] !== 0x0a ? "\n" : "";
      yield Buffer.from(lead + fresh.map((name) => `##[error]${limitHitText(name, limits)}\n`).join(""));
    }
    return { output: output(), wait: async () => (await end()).result, stop: () => child.stop() };
  };

  const sandbox: Sandbox = {
    provider: inner.provider,
    paths: inner.paths,
    hostPaths: inner.hostPaths,
    enforced: inner.enforced,
    baseEnv: inner.baseEnv,
    // Everything else the provider gives (its service proxy's address) passes through unchanged.
    ...(inner.serviceUrl !== undefined ? { serviceUrl: inner.serviceUrl } : {}),
    exec: (request: ExecRequest) => watched(inner.exec(request)),
    limitEvents: () => inner.limitEvents(),
    destroy: () => inner.destroy(),
  };
  return { sandbox, hits: () => named.map((name) => limitHitText(name, limits)) };
}
