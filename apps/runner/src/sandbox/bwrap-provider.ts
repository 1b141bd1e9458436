// bubblewrap: user, pid, mount, ipc, uts and net namespaces around a read-only view of the host's /usr and a
// minimal /etc, with a private writable workspace, /tmp and HOME. When the runner is root each sandbox also
// runs as its own unprivileged host uid, so RLIMIT_NPROC counts only its processes and nothing inside maps to
// host root. Egress `open` or `allowlist` connects each exec's network namespace to the outside through
// user-net.ts, filtered per sandbox by egress-firewall.ts; `none` leaves it with a loopback only. Every job runs
// under seccomp-filter.ts's filter. The job's toolchains are bound read-only (tool-mounts.ts; the tool cache
// writable for trusted jobs) and the runner's service proxy is reached through service-forwarder.ts.
import { spawnSync } from "node:child_process";
import { lchownSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createSandboxCgroup } from "./cgroups";
import { egressProbe, installEgressRules, resolveAllowlist, sandboxNameFiles, type AllowlistResolution, type HostLookup } from "./egress-firewall";
import { which } from "./host-tools";
import { limitEventsOf } from "./limit-events";
import { rlimitArgs } from "./rlimits";
import { jobSeccompFilter } from "./seccomp-filter";
import { insideForwarder, type InsideForwarder } from "./service-forwarder";
import { toolLayout, unreachableBy, type ToolLayout } from "./tool-mounts";
import { execTimeoutMs, joinCgroupsScript, stopAll, spawnExec, type SpawnedExec } from "./spawn-exec";
import { claimUid, egressGidOf, type ClaimedUid } from "./uid-pool";
import { attachUserNet, findUserNetTools, USER_NET, type UserNet, type UserNetTools } from "./user-net";
import { SandboxRefusedError, type EnforcedLimits, type ExecRequest, type LimitEvents, type ProbeResult, type Sandbox, type SandboxPaths, type SandboxProcess, type SandboxProvider, type SandboxSpec } from "./types";
import { createSandboxDirs, HOME_MOUNT_POINTS, removeSandboxDirs, resetMountPoints } from "./workspace";
import { BASE_ENV, HOST_ETC, hostRoots, INSIDE, INSIDE_HOME } from "./inside";

const INSIDE_UID = 1001;
/** The exec's fd carrying the seccomp program (spawn-exec.ts's fd 6). */
const SECCOMP_FD = 6;

interface Tools {
  bwrap: string;
  /** The job's seccomp program (seccomp-filter.ts), the same for every exec. */
  seccomp: Buffer;
  setpriv?: string;
  prlimit?: string;
  slirp4netns?: string;
  perl?: string;
}

/** What this host is missing to run bwrap sandboxes, or the tools when nothing is. */
function tools(): Tools | string {
  const bwrap = which("bwrap");
  if (!bwrap) return "bwrap is not on PATH (apt-get install bubblewrap)";
  const seccomp = jobSeccompFilter();
  if (!seccomp) return `no seccomp filter for this CPU architecture (${process.arch}; x64 and arm64 have one)`;
  return { bwrap, seccomp, setpriv: which("setpriv"), prlimit: which("prlimit"), slirp4netns: which("slirp4netns"), perl: which("perl") };
}

/** `seccompFd`: where bwrap reads the job's seccomp program. */
function baseArgs(seccompFd: number): string[] {
  // The network namespace is always the sandbox's own; egress comes only through user-net.ts.
  const args = ["--seccomp", String(seccompFd), "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--unshare-net"];
  args.push("--uid", String(INSIDE_UID), "--gid", String(INSIDE_UID), "--hostname", "gantry", "--die-with-parent", "--new-session");
  args.push("--ro-bind", "/usr", "/usr");
  for (const root of hostRoots()) {
    if (root.link !== undefined) args.push("--symlink", root.link, root.path);
    else args.push("--ro-bind", root.path, root.path);
  }
  for (const entry of HOST_ETC) args.push("--ro-bind-try", `/etc/${entry}`, `/etc/${entry}`);
  args.push("--proc", "/proc", "--dev", "/dev");
  return args;
}

/** What egress other than `none` needs here, or why it cannot be had (the sandbox is then refused). */
function userNetTools(host: Tools, uid: ClaimedUid | undefined): UserNetTools | string {
  if (uid === undefined) return "needs a root runner (each sandbox's traffic is told apart by ids of its own)";
  return findUserNetTools(host);
}

/** /etc/hosts and /etc/resolv.conf of a networked sandbox, bound over the host's copies. */
function networkFiles(dir: string, network: "open" | "allowlist", allow: AllowlistResolution | undefined): string[] {
  const files = sandboxNameFiles(network, allow, USER_NET.dns);
  writeFileSync(path.join(dir, "hosts"), files.hosts, { mode: 0o644 });
  writeFileSync(path.join(dir, "resolv.conf"), files.resolv, { mode: 0o644 });
  return ["--ro-bind", path.join(dir, "hosts"), "/etc/hosts", "--ro-bind", path.join(dir, "resolv.conf"), "/etc/resolv.conf"];
}

interface SandboxNetwork {
  tools: UserNetTools;
  /** Who the user-mode stack runs as: the sandbox's uid, and the group the egress firewall knows it by. */
  ids: { uid: number; gid: number };
  /** bwrap arguments: the sandbox's hosts and resolv.conf. */
  binds: string[];
  removeRules: () => void;
}

function sandboxUid(): ClaimedUid | undefined {
  // Only root can switch to an unused uid; a non-root runner runs sandboxes as itself.
  return process.getuid?.() === 0 ? claimUid() : undefined;
}

/** bwrap arguments binding the job's toolchains and the service socket (before the root is made read-only). */
function toolBinds(layout: ToolLayout, forwarder: InsideForwarder | undefined): string[] {
  const args: string[] = [];
  for (const mount of [...layout.mounts, ...(forwarder?.mounts ?? [])]) args.push(mount.writable ? "--bind" : "--ro-bind", mount.host, mount.inside);
  if (forwarder) args.push("--bind", forwarder.socket.host, forwarder.socket.inside);
  return args;
}

class BwrapSandbox implements Sandbox {
  readonly provider = "bwrap";
  readonly paths: SandboxPaths;
  readonly serviceUrl?: string;
  readonly hostPaths: SandboxPaths;
  readonly enforced: EnforcedLimits;
  readonly baseEnv = BASE_ENV;
  private readonly running = new Set<SandboxProcess>();
  /** User-mode network stacks of running execs (each dies with its exec). */
  private readonly nets = new Set<UserNet>();
  private destroyed = false;
  private readonly deadline: number | undefined;
  private readonly prefix: string[];
  private readonly cgroupProcs: string[];

  constructor(
    private readonly tools: Tools,
    private readonly dirs: ReturnType<typeof createSandboxDirs>,
    private readonly spec: SandboxSpec,
    private readonly uid: ClaimedUid | undefined,
    private readonly cgroup: ReturnType<typeof createSandboxCgroup>,
    private readonly network: SandboxNetwork | undefined,
    private readonly layout: ToolLayout,
    private readonly forwarder: InsideForwarder | undefined,
  ) {
    this.paths = { ...INSIDE, ...layout.paths };
    if (forwarder) this.serviceUrl = forwarder.serviceUrl;
    this.hostPaths = { workspace: dirs.workspace, temp: dirs.temp, runnerFiles: dirs.runnerFiles };
    const limits = spec.limits ?? {};
    const byCgroup: EnforcedLimits = cgroup?.enforced ?? {};
    const rl = tools.prlimit ? rlimitArgs(limits, byCgroup, uid !== undefined) : { args: [], enforced: {} };
    const hostUid = uid?.uid;
    this.enforced = { ...byCgroup, ...rl.enforced, ...(limits.wallTimeMs !== undefined ? { wallTime: "timer" as const } : {}), ...(dirs.volume ? { disk: "loop-ext4" as const } : {}) };
    this.deadline = limits.wallTimeMs === undefined ? undefined : Date.now() + limits.wallTimeMs;
    this.cgroupProcs = cgroup?.joinFiles ?? [];
    this.prefix = [];
    if (hostUid !== undefined && tools.setpriv) this.prefix.push(tools.setpriv, `--reuid=${hostUid}`, `--regid=${hostUid}`, "--clear-groups", "--no-new-privs");
    if (tools.prlimit && rl.args.length > 0) this.prefix.push(tools.prlimit, ...rl.args, "--");
  }

  exec(request: ExecRequest): SandboxProcess {
    if (this.destroyed) throw new Error("sandbox destroyed");
    resetMountPoints(this.dirs.home, HOME_MOUNT_POINTS);
    const args = [
      ...baseArgs(SECCOMP_FD),
      ...(this.network ? ["--info-fd", "4", "--block-fd", "5", ...this.network.binds] : []),
      "--bind", this.dirs.home, INSIDE_HOME,
      "--bind", this.dirs.workspace, INSIDE.workspace,
      "--bind", this.dirs.runnerFiles, INSIDE.runnerFiles,
      "--bind", this.dirs.temp, INSIDE.temp,
      ...toolBinds(this.layout, this.forwarder),
      // The root is bwrap's own tmpfs: make it read-only so only the binds above (and HOME) take writes.
      "--remount-ro", "/",
      "--chdir", request.cwd,
      "--clearenv",
    ];
    const command = this.forwarder ? this.forwarder.wrap(request.argv, request.env) : { argv: request.argv, env: request.env };
    for (const [key, value] of Object.entries(command.env)) args.push("--setenv", key, value);
    // bwrap splits fd 3 at NUL bytes: one inside a value would become arguments of the job's choosing (`--bind`).
    // The step runner refuses such values first (execution/exec-values.ts); this is the provider's own guard.
    const split = [...args, ...command.argv].find((arg) => arg.includes("\0"));
    if (split !== undefined) throw new Error(`bwrap: a NUL byte in ${JSON.stringify(split)} would split the sandbox's arguments`);
    // Arguments go through fd 3, not argv: env values (secrets) never appear in the host's process list.
    const fd3 = Buffer.from(args.map((a) => `${a}\0`).join(""));
    const timeoutMs = execTimeoutMs(this.deadline, request.timeoutMs);
    const child = spawnExec({
      argv: [...this.prefix, this.tools.bwrap, "--args", "3", "--", ...command.argv],
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
      cwd: this.dirs.root,
      timeoutMs,
      preamble: joinCgroupsScript(this.cgroupProcs),
      fd3,
      fd6: this.tools.seccomp,
      handshake: this.network !== undefined,
      onExit: () => this.running.delete(child),
    });
    this.running.add(child);
    return this.network ? this.connect(child, this.network) : child;
  }

  /** bwrap waits on fd 5 until the user-mode network is attached to its namespace; a failure ends the exec. */
  private connect(child: SpawnedExec, network: SandboxNetwork): SandboxProcess {
    const handshake = child.handshake;
    if (!handshake) throw new Error("bwrap exec without its handshake pipes");
    let info = "";
    let attached: UserNet | undefined;
    let settled = false;
    let failure: string | undefined;
    let exited = false;
    const release = (net: UserNet) => void net.stop().then(() => this.nets.delete(net));
    void child.wait().then(() => {
      exited = true;
      if (attached) release(attached);
    });
    handshake.info.on("data", (data: Buffer) => {
      info += data.toString();
      const pid = /"child-pid":\s*(\d+)/.exec(info)?.[1];
      if (pid === undefined || settled) return;
      settled = true;
      attachUserNet(network.tools, Number(pid), network.ids).then(
        (net) => {
          this.nets.add(net);
          if (exited) return release(net);
          attached = net;
          handshake.block.end("go");
        },
        (error: unknown) => {
          failure = `gantry: the sandbox's network could not be attached: ${error instanceof Error ? error.message : String(error)}\n`;
          child.stop();
        },
      );
    });
    handshake.info.on("error", () => undefined);
    handshake.block.on("error", () => undefined);
    // The step's log says why it never ran when the network could not be attached.
    async function* output(): AsyncGenerator<Buffer> {
      for await (const chunk of child.output) yield chunk;
      if (failure) yield Buffer.from(failure);
    }
    return { output: output(), wait: () => child.wait(), stop: () => child.stop() };
  }

  limitEvents(): LimitEvents {
    return limitEventsOf(this.cgroup, this.dirs.volume);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await stopAll(this.running);
    await Promise.all([...this.nets].map((net) => net.stop()));
    this.cgroup?.remove();
    try {
      this.network?.removeRules();
    } catch {
      // A later sandbox of this uid replaces them; until then the uid's traffic stays confined to its rules.
    }
    removeSandboxDirs(this.dirs);
    this.uid?.release();
  }
}

export interface BwrapProviderOptions {
  /** Resolves an allowlist's host names (default: the host's resolver; split-horizon setups pass their own). */
  resolveHost?: HostLookup;
}

export class BwrapProvider implements SandboxProvider {
  readonly name = "bwrap";

  constructor(private readonly options: BwrapProviderOptions = {}) {}

  async probe(): Promise<ProbeResult> {
    const host = tools();
    if (typeof host === "string") return { available: false, detail: host };
    const uid = sandboxUid();
    const prefix = uid !== undefined && host.setpriv ? [host.setpriv, `--reuid=${uid.uid}`, `--regid=${uid.uid}`, "--clear-groups"] : [];
    // The seccomp program goes on stdin, so the probe also proves this kernel takes it.
    const command = [...prefix, host.bwrap, ...baseArgs(0), "--", "/bin/true"];
    const result = spawnSync(command[0] ?? host.bwrap, command.slice(1), { input: host.seccomp, encoding: "utf8", timeout: 10_000, cwd: "/" });
    uid?.release();
    if (result.status !== 0) return { available: false, detail: `bwrap cannot create namespaces here: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim()}` };
    const egress = egressProbe(userNetTools(host, uid), "slirp4netns + nftables");
    return { available: true, detail: `${host.bwrap}${prefix.length > 0 ? ", per-sandbox host uid" : ""}; ${egress.detail}`, egress: egress.egress };
  }

  async prepare(spec: SandboxSpec): Promise<Sandbox> {
    const host = tools();
    if (typeof host === "string") throw new Error(host);
    const uid = host.setpriv ? sandboxUid() : undefined;
    const policy = spec.network ?? "none";
    let network: SandboxNetwork | undefined;
    let dirs: ReturnType<typeof createSandboxDirs> | undefined;
    try {
      const tools = policy === "none" ? undefined : userNetTools(host, uid);
      if (typeof tools === "string") throw new SandboxRefusedError(`egress ${policy} ${tools}`);
      const allow = policy === "allowlist" ? await resolveAllowlist(spec.egressAllowlist ?? [], this.options.resolveHost) : undefined;
      dirs = createSandboxDirs(uid === undefined ? undefined : { uid: uid.uid, gid: uid.uid }, spec.limits?.diskBytes);
      if (tools && uid && policy !== "none") {
        const binds = networkFiles(dirs.root, policy, allow);
        const ids = { uid: uid.uid, gid: egressGidOf(uid.uid) };
        const removeRules = installEgressRules(ids.gid, { policy, ...(allow ? { allow } : {}) });
        network = { tools, ids, binds, removeRules };
      }
      const layout = toolLayout(spec.tools);
      const forwarder = spec.serviceSocket === undefined ? undefined : insideForwarder(spec.serviceSocket, dirs.root, layout);
      if (uid) {
        // bwrap resolves its bind sources as the sandbox's uid: say which folder stops it, once, here.
        for (const mount of [...layout.mounts, ...(forwarder?.mounts ?? [])]) {
          const why = unreachableBy(uid.uid, mount.host, mount.writable);
          if (why) throw new Error(`bwrap: the sandbox's uid cannot bind ${mount.host} at ${mount.inside}: ${why} (docs/sandboxes.md#toolchains-and-the-tool-cache)`);
        }
        // The socket is the runner's (0600): a sandbox of its own uid needs it handed over to connect.
        if (spec.serviceSocket !== undefined) lchownSync(spec.serviceSocket, uid.uid, uid.uid);
      }
      const cgroup = createSandboxCgroup(`gantry-${dirs.root.split("-").pop() ?? "sbx"}`, spec.limits ?? {});
      return new BwrapSandbox(host, dirs, spec, uid, cgroup, network, layout, forwarder);
    } catch (error) {
      network?.removeRules();
      if (dirs) removeSandboxDirs(dirs);
      uid?.release();
      throw error;
    }
  }
}
