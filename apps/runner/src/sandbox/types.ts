// The one interface every sandbox provider implements (STYLE.md practice 8, Woodpecker's backend interface):
// prepare → exec (start + stream) → wait → stop → destroy. The executor never knows which provider it runs on.

export type ProviderName = "microvm" | "gvisor" | "bwrap" | "process";
/** none: no network at all; open: anywhere but the runner host and cloud metadata; allowlist: only the listed. */
export type NetworkPolicy = "none" | "allowlist" | "open";

export interface SandboxLimits {
  /** Hard cap on the sandbox's lifetime; every exec is killed when it passes. */
  wallTimeMs?: number;
  memoryBytes?: number;
  /** Maximum number of processes/threads alive at once. */
  pids?: number;
  /** CPU share in cores (1.5 = one and a half cores). */
  cpus?: number;
  /** Largest file a process may write. */
  fileSizeBytes?: number;
  /** Total bytes the workspace, /tmp and runner files may hold. */
  diskBytes?: number;
}

/** How each limit was actually enforced on this host; absent means not enforced. */
export interface EnforcedLimits {
  wallTime?: "timer";
  memory?: "cgroup-v2" | "cgroup-v1" | "rlimit-as" | "vm";
  pids?: "cgroup-v2" | "cgroup-v1" | "rlimit-nproc";
  cpu?: "cgroup-v2" | "cgroup-v1" | "vm";
  fileSize?: "rlimit-fsize";
  disk?: "loop-ext4";
}

/**
 * What the job has run into so far, read from the host's own counters (cgroup memory.events / memory.oom_control,
 * pids.events, the quota volume's free space). Cumulative over the sandbox's life; zero/false where the provider
 * cannot tell (documented per provider in docs/sandboxes.md).
 */
export interface LimitEvents {
  /** Processes the kernel's OOM killer ended at the memory limit. */
  oomKills: number;
  /** fork()/clone() calls refused at the pids limit. */
  forksRefused: number;
  /** The disk-quota volume holding the workspace and /tmp has no room left. */
  diskFull: boolean;
}

export const NO_LIMIT_EVENTS: LimitEvents = { oomKills: 0, forksRefused: 0, diskFull: false };

export interface SandboxSpec {
  /** Code from an untrusted source (a fork's pull request): providers without isolation refuse it. */
  untrusted: boolean;
  network?: NetworkPolicy;
  /** With network `allowlist`: host names, addresses and CIDR ranges (runner-protocol's egressTarget). */
  egressAllowlist?: readonly string[];
  limits?: SandboxLimits;
  /** Toolchains the job may use (see SandboxPaths.node / toolCache). */
  tools?: SandboxTools;
  /**
   * The runner's service proxy for this job (a unix socket on the host): the sandbox reaches it at
   * `Sandbox.serviceUrl` whatever its network policy. Absent: no services.
   */
  serviceSocket?: string;
}

export interface SandboxTools {
  /** Node.js installs on the host by major version ("20", "24"): the folder holding `bin/node`; mounted read-only. */
  node?: Record<string, string>;
  /** The runner's tool cache (RUNNER_TOOL_CACHE) on the host; writable only when `writable` (trusted jobs). */
  toolCache?: { host: string; writable: boolean };
}

export interface ExecRequest {
  argv: string[];
  env: Record<string, string>;
  /** A path inside the sandbox (see Sandbox.paths). */
  cwd: string;
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Killed because the exec's or the sandbox's wall time ran out. */
  timedOut: boolean;
  /** Killed by stop(). */
  stopped: boolean;
  /** The sandbox itself died under the step (not the job's doing): the step's outcome is the platform's failure. */
  sandboxFailure?: string;
}

export interface SandboxProcess {
  /** stdout and stderr interleaved in the order written; not reading it pauses the process (backpressure). */
  readonly output: AsyncIterable<Buffer>;
  wait(): Promise<ExecResult>;
  /** Kills the process and everything it started. */
  stop(): void;
}

export interface SandboxPaths {
  /** The job's workspace as processes inside see it. */
  workspace: string;
  /** Private temporary directory inside. */
  temp: string;
  /** Where the runner puts per-step files (GITHUB_OUTPUT, …), as seen inside. */
  runnerFiles: string;
  /** The `node` binary of each runtime in SandboxSpec.tools.node, as processes inside see it. */
  node?: Record<string, string>;
  /** RUNNER_TOOL_CACHE as seen inside (when SandboxSpec.tools.toolCache was given). */
  toolCache?: string;
}

export interface Sandbox {
  readonly provider: ProviderName;
  readonly paths: SandboxPaths;
  /** The same directories on the host, for the runner to read and write. */
  readonly hostPaths: SandboxPaths;
  readonly enforced: EnforcedLimits;
  /** PATH, HOME and the like as they make sense inside; the executor layers the job's env on top. */
  readonly baseEnv: Record<string, string>;
  /** The runner's service proxy as processes inside reach it (`http://127.0.0.1:PORT`), when SandboxSpec.serviceSocket was given. */
  readonly serviceUrl?: string;
  exec(request: ExecRequest): SandboxProcess;
  /** The limits hit so far; the executor names them in the job's log and failure reason. */
  limitEvents(): LimitEvents;
  /** Kills everything still running and removes the workspace. Idempotent. */
  destroy(): Promise<void>;
}

export interface ProbeResult {
  available: boolean;
  /** Why not, or what works (for logs and the provider table). */
  detail: string;
  /** The egress policies it can give a job here (absent: `none` only). */
  egress?: NetworkPolicy[];
}

export interface SandboxProvider {
  readonly name: ProviderName;
  probe(): Promise<ProbeResult>;
  prepare(spec: SandboxSpec): Promise<Sandbox>;
}

export class SandboxRefusedError extends Error {
  override readonly name = "SandboxRefusedError";
}
