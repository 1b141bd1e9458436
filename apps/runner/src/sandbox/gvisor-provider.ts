// gVisor: every exec is a `runsc run` of its own — a user-space kernel (the Sentry, ptrace platform) between the
// job and the host — over a read-only root made of the host's /usr and a minimal /etc, with the sandbox's
// private workspace, /tmp and runner files bound in. The job runs as the sandbox's own host uid (a per-sandbox
// uid from uid-pool.ts, named `runner` in its /etc/passwd), so files it writes in the workspace belong to that
// uid on the host and nothing of it maps to host root. runsc runs inside the sandbox's cgroup (its own cgroup
// handling is off), so memory, pids and CPU bound the Sentry and the job together; rlimits from the spec are
// enforced by the Sentry itself. Egress none: runsc --network=none (a loopback of its own); allowlist and open:
// gvisor-network.ts. The job's toolchains are bound as for bwrap (tool-mounts.ts); the runner's service proxy is
// bound as a socket runsc may connect to (`--host-uds=open`) with service-forwarder.ts's forwarder in each exec.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { lchownSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createSandboxCgroup } from "./cgroups";
import { egressProbe, resolveAllowlist, type HostLookup } from "./egress-firewall";
import { createGvisorNetwork, gvisorNetworkTools, type GvisorNetwork } from "./gvisor-network";
import { gvisorSpec, type GvisorExecSpec } from "./gvisor-spec";
import { ensureStatxShim, missingShimCompiler } from "./gvisor-shim";
import { which } from "./host-tools";
import { BASE_ENV, hostRoots, INSIDE } from "./inside";
import { limitEventsOf } from "./limit-events";
import { defaultStateDir } from "./microvm-image";
import { insideForwarder, type InsideForwarder } from "./service-forwarder";
import { toolLayout, type ToolLayout } from "./tool-mounts";
import { execTimeoutMs, joinCgroupsScript, stopAll, spawnExec, type SpawnedExec } from "./spawn-exec";
import { SandboxRefusedError, type EnforcedLimits, type ExecRequest, type LimitEvents, type ProbeResult, type Sandbox, type SandboxLimits, type SandboxPaths, type SandboxProcess, type SandboxProvider, type SandboxSpec } from "./types";
import { claimUid, type ClaimedUid } from "./uid-pool";
import { createSandboxDirs, removeSandboxDirs, type SandboxDirs, HOME_MOUNT_POINTS, resetMountPoints } from "./workspace";

const SHIM_INSIDE = "/opt/gantry/statx-shim.so";
const OPEN_FILES = 65_536;
/**
 * What the Sentry and the gofer need on top of the job's own limits in the host cgroup (their threads and
 * memory): the job's pids limit is the Sentry's RLIMIT_NPROC; the cgroup is the host's backstop.
 */
export const GVISOR_OVERHEAD = { pids: 256, memoryBytes: 256 * 1024 ** 2 };

const runsc = () => which("runsc");

/** The root directory: empty but for merged-/usr links (bin -> usr/bin); everything else is mounted. */
function makeRootfs(dir: string): string {
  const rootfs = path.join(dir, "rootfs");
  mkdirSync(rootfs, { mode: 0o755 });
  for (const root of hostRoots()) if (root.link !== undefined) symlinkSync(root.link, path.join(rootfs, root.path.slice(1)));
  return rootfs;
}

/** /etc files of the sandbox's own: its user, and the statx shim preloaded into every process. */
function makeEtc(dir: string, uid: number): Record<string, string> {
  const etc = path.join(dir, "etc");
  mkdirSync(etc, { mode: 0o755 });
  const files = {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\nrunner:x:${uid}:${uid}:runner:${BASE_ENV.HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\nrunner:x:${uid}:\nnogroup:x:65534:\n`,
    "ld.so.preload": `${SHIM_INSIDE}\n`,
  };
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    out[name] = path.join(etc, name);
    writeFileSync(out[name], text, { mode: 0o644 });
  }
  return out;
}

/** The host cgroup's limits: the job's plus what gVisor itself needs. */
function cgroupLimits(limits: SandboxLimits): SandboxLimits {
  return {
    ...(limits.memoryBytes !== undefined ? { memoryBytes: limits.memoryBytes + GVISOR_OVERHEAD.memoryBytes } : {}),
    ...(limits.pids !== undefined ? { pids: limits.pids + GVISOR_OVERHEAD.pids } : {}),
    ...(limits.cpus !== undefined ? { cpus: limits.cpus } : {}),
  };
}

function rlimits(limits: SandboxLimits, memoryByCgroup: boolean): { list: GvisorExecSpec["rlimits"]; enforced: EnforcedLimits } {
  const list: GvisorExecSpec["rlimits"] = [{ type: "RLIMIT_NOFILE", limit: OPEN_FILES }];
  const enforced: EnforcedLimits = {};
  // The Sentry counts the job's tasks itself; the uid is the sandbox's own, so only its processes count.
  if (limits.pids !== undefined) {
    list.push({ type: "RLIMIT_NPROC", limit: limits.pids });
    enforced.pids = "rlimit-nproc";
  }
  if (limits.fileSizeBytes !== undefined) {
    list.push({ type: "RLIMIT_FSIZE", limit: limits.fileSizeBytes });
    enforced.fileSize = "rlimit-fsize";
  }
  if (limits.memoryBytes !== undefined && !memoryByCgroup) {
    list.push({ type: "RLIMIT_AS", limit: limits.memoryBytes });
    enforced.memory = "rlimit-as";
  }
  return { list, enforced };
}

class GvisorSandbox implements Sandbox {
  readonly provider = "gvisor";
  readonly paths: SandboxPaths;
  readonly serviceUrl?: string;
  readonly hostPaths: SandboxPaths;
  readonly enforced: EnforcedLimits;
  readonly baseEnv = BASE_ENV;
  private readonly running = new Set<SpawnedExec>();
  private readonly name = `gantry-${randomBytes(6).toString("hex")}`;
  private readonly stateDir: string;
  private readonly rootfs: string;
  private readonly etc: Record<string, string>;
  private readonly rlimits: GvisorExecSpec["rlimits"];
  private readonly deadline: number | undefined;
  private readonly cgroupProcs: string[];
  private execs = 0;
  private destroyed = false;

  constructor(
    private readonly runsc: string,
    private readonly shim: string,
    private readonly dirs: SandboxDirs,
    private readonly uid: ClaimedUid,
    private readonly cgroup: ReturnType<typeof createSandboxCgroup>,
    limits: SandboxLimits,
    private readonly network: GvisorNetwork | undefined,
    private readonly layout: ToolLayout,
    private readonly forwarder: InsideForwarder | undefined,
  ) {
    this.paths = { ...INSIDE, ...layout.paths };
    if (forwarder) this.serviceUrl = forwarder.serviceUrl;
    this.hostPaths = { workspace: dirs.workspace, temp: dirs.temp, runnerFiles: dirs.runnerFiles };
    this.stateDir = path.join(dirs.root, "runsc");
    mkdirSync(this.stateDir, { mode: 0o700 });
    mkdirSync(path.join(dirs.root, "bundles"), { mode: 0o700 });
    this.rootfs = makeRootfs(dirs.root);
    this.etc = makeEtc(dirs.root, uid.uid);
    const byCgroup: EnforcedLimits = {};
    if (cgroup?.enforced.memory) byCgroup.memory = cgroup.enforced.memory;
    if (cgroup?.enforced.cpu) byCgroup.cpu = cgroup.enforced.cpu;
    const rl = rlimits(limits, byCgroup.memory !== undefined);
    this.rlimits = rl.list;
    this.enforced = { ...byCgroup, ...rl.enforced, ...(limits.wallTimeMs !== undefined ? { wallTime: "timer" as const } : {}), ...(dirs.volume ? { disk: "loop-ext4" as const } : {}) };
    this.deadline = limits.wallTimeMs === undefined ? undefined : Date.now() + limits.wallTimeMs;
    this.cgroupProcs = cgroup?.joinFiles ?? [];
  }

  exec(request: ExecRequest): SandboxProcess {
    if (this.destroyed) throw new Error("sandbox destroyed");
    const id = `${this.name}-${++this.execs}`;
    const bundle = path.join(this.dirs.root, "bundles", id);
    mkdirSync(bundle, { mode: 0o700 });
    resetMountPoints(this.dirs.home, HOME_MOUNT_POINTS);
    const command = this.forwarder ? this.forwarder.wrap(request.argv, request.env) : { argv: request.argv, env: request.env };
    const tools = [...this.layout.mounts, ...(this.forwarder?.mounts ?? [])];
    const spec = gvisorSpec({
      rootfs: this.rootfs,
      argv: command.argv,
      env: command.env,
      cwd: request.cwd,
      user: { uid: this.uid.uid, gid: this.uid.uid },
      home: this.dirs.home,
      etc: { ...this.etc, ...this.network?.etc },
      writable: [
        { host: this.dirs.workspace, inside: INSIDE.workspace },
        { host: this.dirs.runnerFiles, inside: INSIDE.runnerFiles },
        { host: this.dirs.temp, inside: INSIDE.temp },
        ...tools.filter((mount) => mount.writable),
        ...(this.forwarder ? [this.forwarder.socket] : []),
      ],
      readOnly: [{ host: this.shim, inside: SHIM_INSIDE }, ...tools.filter((mount) => !mount.writable)],
      rlimits: this.rlimits,
      ...(this.network ? { netns: this.network.nsPath } : {}),
    });
    // The job's env (secrets) lives only in this file, in a directory only root can read, removed at exit.
    writeFileSync(path.join(bundle, "config.json"), JSON.stringify(spec), { mode: 0o600 });
    const timeoutMs = execTimeoutMs(this.deadline, request.timeoutMs);
    const child = spawnExec({
      argv: [...(this.network?.wrapper ?? []), this.runsc, "--root", this.stateDir, `--network=${this.network ? "sandbox" : "none"}`, "--ignore-cgroups", "--platform=ptrace", ...(this.forwarder ? ["--host-uds=open"] : []), "run", "--bundle", bundle, id],
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
      cwd: this.dirs.root,
      timeoutMs,
      preamble: [joinCgroupsScript(this.cgroupProcs), this.network?.preamble ?? ""].join("\n"),
      onExit: () => {
        this.running.delete(child);
        rmSync(bundle, { recursive: true, force: true });
      },
    });
    this.running.add(child);
    return child;
  }

  /** The host cgroup's counters (the Sentry's RLIMIT_NPROC refusals happen inside gVisor and are not seen). */
  limitEvents(): LimitEvents {
    return limitEventsOf(this.cgroup, this.dirs.volume);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await stopAll(this.running);
    await this.network?.close();
    this.cgroup?.remove();
    removeSandboxDirs(this.dirs);
    this.uid.release();
  }
}

export interface GvisorProviderOptions {
  /** Where the compiled statx shim is cached (default ~/.gantry). */
  stateDir?: string;
  /** Resolves an allowlist's host names (default: the host's resolver). */
  resolveHost?: HostLookup;
}

export class GvisorProvider implements SandboxProvider {
  readonly name = "gvisor";

  constructor(private readonly options: GvisorProviderOptions = {}) {}

  /** Why this host cannot start gVisor sandboxes, or undefined when it can. */
  private missing(): string | undefined {
    if (!runsc()) return "runsc is not on PATH (apt-get install runsc)";
    if (process.getuid?.() !== 0) return "runsc needs a root runner (it sets up the Sentry's namespaces and the gofer)";
    return missingShimCompiler();
  }

  async probe(): Promise<ProbeResult> {
    const missing = this.missing();
    if (missing) return { available: false, detail: missing };
    let sandbox: Sandbox | undefined;
    try {
      sandbox = await this.prepare({ untrusted: true });
      // `ls /` exercises statx through the shim; runsc's own errors come back on the same pipe.
      const child = sandbox.exec({ argv: ["/bin/sh", "-c", "ls / >/dev/null && echo gantry-ok"], env: sandbox.baseEnv, cwd: sandbox.paths.workspace, timeoutMs: 30_000 });
      let text = "";
      for await (const chunk of child.output) text += chunk.toString();
      const result = await child.wait();
      if (result.exitCode !== 0 || !text.includes("gantry-ok")) return { available: false, detail: `runsc cannot start a sandbox here: ${text.trim().slice(-500) || `exit ${result.exitCode ?? result.signal}`}` };
    } catch (error) {
      return { available: false, detail: `runsc cannot start a sandbox here: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      await sandbox?.destroy();
    }
    const version = spawnSync(runsc() ?? "runsc", ["--version"], { encoding: "utf8", timeout: 10_000 }).stdout.split("\n")[0]?.trim();
    const egress = egressProbe(gvisorNetworkTools(), "slirp4netns + nftables");
    return { available: true, detail: `${runsc()} (${version || "version unknown"}), ptrace platform, per-sandbox host uid; ${egress.detail}`, egress: egress.egress };
  }

  async prepare(spec: SandboxSpec): Promise<Sandbox> {
    const missing = this.missing();
    if (missing) throw new Error(missing);
    const policy = spec.network ?? "none";
    const tools = policy === "none" ? undefined : gvisorNetworkTools();
    if (typeof tools === "string") throw new SandboxRefusedError(`egress ${policy} ${tools}`);
    const binary = runsc();
    if (!binary) throw new Error("runsc is not on PATH");
    const shim = ensureStatxShim(this.options.stateDir ?? defaultStateDir());
    const uid = claimUid();
    if (!uid) throw new Error("no free sandbox uid on this host");
    let dirs: SandboxDirs | undefined;
    let network: GvisorNetwork | undefined;
    let cgroup: ReturnType<typeof createSandboxCgroup>;
    try {
      const limits = spec.limits ?? {};
      const allow = policy === "allowlist" ? await resolveAllowlist(spec.egressAllowlist ?? [], this.options.resolveHost) : undefined;
      dirs = createSandboxDirs({ uid: uid.uid, gid: uid.uid }, limits.diskBytes);
      if (tools && policy !== "none") network = await createGvisorNetwork(tools, dirs.root, uid.uid, policy, allow);
      const layout = toolLayout(spec.tools);
      const forwarder = spec.serviceSocket === undefined ? undefined : insideForwarder(spec.serviceSocket, dirs.root, layout);
      // The socket is the runner's (0600): the gofer connects as the sandbox's uid.
      if (spec.serviceSocket !== undefined) lchownSync(spec.serviceSocket, uid.uid, uid.uid);
      cgroup = createSandboxCgroup(`gantry-${dirs.root.split("-").pop() ?? "sbx"}`, cgroupLimits(limits));
      return new GvisorSandbox(binary, shim, dirs, uid, cgroup, limits, network, layout, forwarder);
    } catch (error) {
      await network?.close();
      cgroup?.remove();
      if (dirs) removeSandboxDirs(dirs);
      uid.release();
      throw error;
    }
  }
}
