// No isolation at all: the job runs as the runner on the host. For development and fast tests only; it
// refuses untrusted code unless the caller explicitly allows it in dev mode. Of the limits it applies what needs
// no isolation: wall time, a cgroup for memory, pids and CPU where the host gives one, and the file size; no disk
// quota (the job's writes can reach anywhere the runner can anyway). Its toolchains are the host's folders as they
// are (inside == host; the tool cache's `writable` cannot be enforced and trusted jobs alone run here anyway); the
// runner's service proxy is reached through a listener on the host's loopback (service-forwarder.ts).
import { randomBytes } from "node:crypto";
import { createSandboxCgroup, type SandboxCgroup } from "./cgroups";
import { which } from "./host-tools";
import { limitEventsOf } from "./limit-events";
import { loopbackForwarder, type LoopbackForwarder } from "./service-forwarder";
import { hostToolPaths } from "./tool-mounts";
import { execTimeoutMs, joinCgroupsScript, stopAll, spawnExec } from "./spawn-exec";
import type { EnforcedLimits, ExecRequest, LimitEvents, ProbeResult, Sandbox, SandboxPaths, SandboxProcess, SandboxProvider, SandboxSpec } from "./types";
import { SandboxRefusedError } from "./types";
import { createSandboxDirs, removeSandboxDirs } from "./workspace";

class ProcessSandbox implements Sandbox {
  readonly provider = "process";
  readonly paths: SandboxPaths;
  readonly hostPaths: SandboxPaths;
  readonly enforced: EnforcedLimits;
  readonly baseEnv: Record<string, string>;
  readonly serviceUrl?: string;
  private readonly running = new Set<SandboxProcess>();
  private readonly deadline: number | undefined;
  private readonly cgroup: SandboxCgroup | undefined;
  /** prlimit for the file size, before the job's command. */
  private readonly prefix: string[] = [];
  private destroyed = false;

  constructor(
    private readonly dirs: ReturnType<typeof createSandboxDirs>,
    spec: SandboxSpec,
    private readonly forwarder: LoopbackForwarder | undefined,
  ) {
    this.paths = { workspace: dirs.workspace, temp: dirs.temp, runnerFiles: dirs.runnerFiles, ...hostToolPaths(spec.tools) };
    if (forwarder) this.serviceUrl = forwarder.url;
    this.hostPaths = this.paths;
    this.baseEnv = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: dirs.temp, LANG: "C.UTF-8" };
    const limits = spec.limits ?? {};
    this.deadline = limits.wallTimeMs === undefined ? undefined : Date.now() + limits.wallTimeMs;
    this.cgroup = createSandboxCgroup(`gantry-proc-${randomBytes(6).toString("hex")}`, limits);
    const prlimit = which("prlimit");
    if (prlimit && limits.fileSizeBytes !== undefined) this.prefix.push(prlimit, `--fsize=${limits.fileSizeBytes}:${limits.fileSizeBytes}`, "--");
    this.enforced = {
      ...this.cgroup?.enforced,
      ...(limits.wallTimeMs !== undefined ? { wallTime: "timer" as const } : {}),
      ...(this.prefix.length > 0 ? { fileSize: "rlimit-fsize" as const } : {}),
    };
  }

  exec(request: ExecRequest): SandboxProcess {
    if (this.destroyed) throw new Error("sandbox destroyed");
    const timeoutMs = execTimeoutMs(this.deadline, request.timeoutMs);
    const child = spawnExec({
      argv: [...this.prefix, ...request.argv],
      env: request.env,
      cwd: request.cwd,
      timeoutMs,
      preamble: joinCgroupsScript(this.cgroup?.joinFiles ?? []),
      onExit: () => this.running.delete(child),
    });
    this.running.add(child);
    return child;
  }

  limitEvents(): LimitEvents {
    return limitEventsOf(this.cgroup, undefined);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await stopAll(this.running);
    await this.forwarder?.close();
    this.cgroup?.remove();
    removeSandboxDirs(this.dirs);
  }
}

export class ProcessProvider implements SandboxProvider {
  readonly name = "process";

  constructor(private readonly options: { devMode: boolean; allowUntrusted?: boolean } = { devMode: false }) {}

  async probe(): Promise<ProbeResult> {
    // The host's own network, whatever the pool says: nothing is enforced, which dev mode accepts.
    return this.options.devMode ? { available: true, detail: "no isolation (development only)", egress: ["none", "open"] } : { available: false, detail: "only in dev mode" };
  }

  async prepare(spec: SandboxSpec): Promise<Sandbox> {
    if (!this.options.devMode) throw new SandboxRefusedError("the process provider runs only in dev mode");
    if (spec.untrusted && !this.options.allowUntrusted) throw new SandboxRefusedError("the process provider does not run untrusted code (no isolation)");
    // It shares the host's network whatever the pool says; an allowlist it cannot enforce is refused, not ignored.
    if (spec.network === "allowlist") throw new SandboxRefusedError("the process provider cannot enforce an egress allowlist (no isolation)");
    hostToolPaths(spec.tools);
    const dirs = createSandboxDirs();
    try {
      const forwarder = spec.serviceSocket === undefined ? undefined : await loopbackForwarder(spec.serviceSocket);
      return new ProcessSandbox(dirs, spec, forwarder);
    } catch (error) {
      removeSandboxDirs(dirs);
      throw error;
    }
  }
}
