// bubblewrap: user, pid, mount, ipc, uts and (by default) net namespaces around a read-only view of the
// host's /usr and a minimal /etc, with a private writable workspace, /tmp and HOME. When the runner is root
// each sandbox also runs as its own unprivileged host uid, so RLIMIT_NPROC counts only its processes and
// nothing inside maps to host root.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { createSandboxCgroup } from "./cgroups";
import { which } from "./host-tools";
import { rlimitArgs } from "./rlimits";
import { spawnExec } from "./spawn-exec";
import { claimUid, type ClaimedUid } from "./uid-pool";
import type { EnforcedLimits, ExecRequest, ProbeResult, Sandbox, SandboxPaths, SandboxProcess, SandboxProvider, SandboxSpec } from "./types";
import { createSandboxDirs, removeSandboxDirs } from "./workspace";

const INSIDE: SandboxPaths = { workspace: "/home/runner/work", temp: "/tmp", runnerFiles: "/home/runner/_temp" };
const INSIDE_UID = 1001;
// Only what a shell, coreutils, git and TLS need; never the host's shadow, ssh keys or runner config.
const ETC = ["passwd", "group", "hosts", "resolv.conf", "nsswitch.conf", "host.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "ssl", "ca-certificates", "ca-certificates.conf", "mime.types", "protocols", "services"];
const ROOTS = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];

interface Tools {
  bwrap: string;
  setpriv?: string;
  prlimit?: string;
}

let found: Tools | undefined;
// Resolved once per process: each lookup is a shell spawn, which would dominate cold start.
function tools(): Tools | undefined {
  if (found) return found;
  const bwrap = which("bwrap");
  if (!bwrap) return undefined;
  found = { bwrap, setpriv: which("setpriv"), prlimit: which("prlimit") };
  return found;
}

function baseArgs(network: "none" | "open"): string[] {
  const args = ["--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"];
  if (network === "none") args.push("--unshare-net");
  args.push("--uid", String(INSIDE_UID), "--gid", String(INSIDE_UID), "--hostname", "gantry", "--die-with-parent", "--new-session");
  args.push("--ro-bind", "/usr", "/usr");
  for (const root of ROOTS) {
    if (!existsSync(root)) continue;
    // Merged-/usr hosts have /bin -> usr/bin: recreate the link rather than bind the target twice.
    if (lstatSync(root).isSymbolicLink()) args.push("--symlink", readlinkSync(root), root);
    else args.push("--ro-bind", root, root);
  }
  for (const entry of ETC) args.push("--ro-bind-try", `/etc/${entry}`, `/etc/${entry}`);
  args.push("--proc", "/proc", "--dev", "/dev");
  return args;
}

function sandboxUid(): ClaimedUid | undefined {
  // Only root can switch to an unused uid; a non-root runner runs sandboxes as itself.
  return process.getuid?.() === 0 ? claimUid() : undefined;
}

class BwrapSandbox implements Sandbox {
  readonly provider = "bwrap";
  readonly paths = INSIDE;
  readonly hostPaths: SandboxPaths;
  readonly enforced: EnforcedLimits;
  readonly baseEnv = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/home/runner", LANG: "C.UTF-8", USER: "runner" };
  private readonly running = new Set<SandboxProcess>();
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
  ) {
    this.hostPaths = { workspace: dirs.workspace, temp: dirs.temp, runnerFiles: dirs.runnerFiles };
    const limits = spec.limits ?? {};
    const byCgroup: EnforcedLimits = cgroup?.enforced ?? {};
    const rl = tools.prlimit ? rlimitArgs(limits, byCgroup, uid !== undefined) : { args: [], enforced: {} };
    const hostUid = uid?.uid;
    this.enforced = { ...byCgroup, ...rl.enforced, ...(limits.wallTimeMs !== undefined ? { wallTime: "timer" as const } : {}), ...(dirs.volume ? { disk: "loop-ext4" as const } : {}) };
    this.deadline = limits.wallTimeMs === undefined ? undefined : Date.now() + limits.wallTimeMs;
    this.cgroupProcs = cgroup?.procsFiles ?? [];
    this.prefix = [];
    if (hostUid !== undefined && tools.setpriv) this.prefix.push(tools.setpriv, `--reuid=${hostUid}`, `--regid=${hostUid}`, "--clear-groups", "--no-new-privs");
    if (tools.prlimit && rl.args.length > 0) this.prefix.push(tools.prlimit, ...rl.args, "--");
  }

  exec(request: ExecRequest): SandboxProcess {
    if (this.destroyed) throw new Error("sandbox destroyed");
    const args = [
      ...baseArgs(this.spec.network ?? "none"),
      "--tmpfs", "/home/runner",
      "--bind", this.dirs.workspace, INSIDE.workspace,
      "--bind", this.dirs.runnerFiles, INSIDE.runnerFiles,
      "--bind", this.dirs.temp, INSIDE.temp,
      // The root is bwrap's own tmpfs: make it read-only so only the binds above (and HOME) take writes.
      "--remount-ro", "/",
      "--chdir", request.cwd,
      "--clearenv",
    ];
    for (const [key, value] of Object.entries(request.env)) args.push("--setenv", key, value);
    // Arguments go through fd 3, not argv: env values (secrets) never appear in the host's process list.
    const fd3 = Buffer.from(args.map((a) => `${a}\0`).join(""));
    const left = this.deadline === undefined ? undefined : Math.max(0, this.deadline - Date.now());
    const timeoutMs = [left, request.timeoutMs].filter((t): t is number => t !== undefined).reduce<number | undefined>((a, b) => (a === undefined ? b : Math.min(a, b)), undefined);
    const joinCgroup = this.cgroupProcs.length > 0 ? `for f in ${this.cgroupProcs.map((f) => `'${f}'`).join(" ")}; do echo $$ > "$f" || exit 125; done` : "";
    const child = spawnExec({
      argv: [...this.prefix, this.tools.bwrap, "--args", "3", "--", ...request.argv],
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
      cwd: this.dirs.root,
      timeoutMs,
      preamble: joinCgroup,
      fd3,
      onExit: () => this.running.delete(child),
    });
    this.running.add(child);
    return child;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const child of this.running) child.stop();
    await Promise.all([...this.running].map((child) => child.wait()));
    this.cgroup?.remove();
    removeSandboxDirs(this.dirs);
    this.uid?.release();
  }
}

export class BwrapProvider implements SandboxProvider {
  readonly name = "bwrap";

  async probe(): Promise<ProbeResult> {
    const host = tools();
    if (!host) return { available: false, detail: "bwrap is not on PATH (apt-get install bubblewrap)" };
    const uid = sandboxUid();
    const prefix = uid !== undefined && host.setpriv ? [host.setpriv, `--reuid=${uid.uid}`, `--regid=${uid.uid}`, "--clear-groups"] : [];
    const command = [...prefix, host.bwrap, ...baseArgs("none"), "--", "/bin/true"];
    const result = spawnSync(command[0] ?? host.bwrap, command.slice(1), { encoding: "utf8", timeout: 10_000, cwd: "/" });
    uid?.release();
    if (result.status !== 0) return { available: false, detail: `bwrap cannot create namespaces here: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim()}` };
    return { available: true, detail: `${host.bwrap}${prefix.length > 0 ? ", per-sandbox host uid" : ""}` };
  }

  async prepare(spec: SandboxSpec): Promise<Sandbox> {
    const host = tools();
    if (!host) throw new Error("bwrap is not on PATH");
    const uid = host.setpriv ? sandboxUid() : undefined;
    try {
      const dirs = createSandboxDirs(uid === undefined ? undefined : { uid: uid.uid, gid: uid.uid }, spec.limits?.diskBytes);
      const cgroup = createSandboxCgroup(`gantry-${dirs.root.split("-").pop() ?? "sbx"}`, spec.limits ?? {});
      return new BwrapSandbox(host, dirs, spec, uid, cgroup);
    } catch (error) {
      uid?.release();
      throw error;
    }
  }
}
