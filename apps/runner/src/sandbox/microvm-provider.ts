// QEMU `-M microvm` running the Debian cloud kernel with a root filesystem built from Debian packages
// (microvm-image.ts). One VM per exec: each step boots a fresh guest (about 4 s under TCG), so nothing a step
// starts survives into the next, as with bwrap. The job's workspace, /tmp, runner files and HOME live on a sparse
// ext4 disk image: loop-mounted on the host between execs (hostPaths), handed to the guest as a virtio disk
// during one. The guest's output comes back on a virtio serial port (the host's stdout of QEMU); the exit code
// on the ISA serial console, which the job's unprivileged user cannot write. No NIC at all for egress none; for
// allowlist and open a virtio NIC on QEMU's user-mode network stack, with QEMU running as a group of its own that
// the host's nftables filter per sandbox (egress-firewall.ts), as bwrap's slirp4netns. The runner's service proxy
// (SandboxSpec.serviceSocket) is a `guestfwd` of that stack under egress none: the guest's connections to
// SERVICE_ADDRESS are handed to a small program on the host that copies them to the socket (service-forwarder.ts),
// on a NIC that is there only for it, with `restrict=on` (nothing else leaves the stack). Under allowlist and open
// it cannot be had: libslirp starts each guestfwd program over a TCP socketpair on the host's loopback, which the
// egress firewall rejects for the stack's group, so serviceUrl stays undefined there. Host folders
// (SandboxSpec.tools) are not shared with the guest: paths.node/toolCache stay undefined (docs/sandboxes.md).
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { which } from "./host-tools";
import { chooseAccelerator, kvmFailed, kvmInternalError } from "./microvm-accel";
import { egressFirewallProbe, egressProbe, installEgressRules, resolveAllowlist, sandboxNameFiles, type HostLookup } from "./egress-firewall";
import { defaultStateDir, ensureGuestImage, missingBuildTools, type GuestImage } from "./microvm-image";
import { volumeFull } from "./disk-quota";
import { BASE_ENV, INSIDE } from "./inside";
import { SERVICE_PORT_INSIDE, writeStdioForwarder } from "./service-forwarder";
import { execTimeoutMs, spawnExec } from "./spawn-exec";
import { claimUid, egressGidOf, type ClaimedUid } from "./uid-pool";
import { NO_LIMIT_EVENTS, SandboxRefusedError, type EnforcedLimits, type ExecRequest, type ExecResult, type LimitEvents, type ProbeResult, type Sandbox, type SandboxLimits, type SandboxPaths, type SandboxProcess, type SandboxProvider, type SandboxSpec } from "./types";


const GUEST_UID = 1001;
const DEFAULT_DISK_BYTES = 8 * 1024 ** 3;
const DEFAULT_MEMORY_BYTES = 1024 ** 3;
const EXIT_LINE = /GANTRY-EXIT (\d+)/;
/** QEMU's user-mode network as the guest sees it: its address, the gateway and QEMU's DNS forwarder. */
const QEMU_NET = { address: "10.0.2.15", gateway: "10.0.2.2", dns: "10.0.2.3" } as const;
/** Where the guest reaches the service proxy: an address of QEMU's user network that only the guestfwd answers. */
const SERVICE_ADDRESS = "10.0.2.100";

interface VmNetwork {
  setpriv: string;
  /** QEMU runs with this group: the egress firewall knows the sandbox's packets by it. */
  gid: number;
  uid: ClaimedUid;
  removeRules: () => void;
}

/** The NIC's user-mode stack: open to the firewall (allowlist, open), or only the service's guestfwd (none). */
interface VmNic {
  restrict: boolean;
  /** The guestfwd's command: the host program copying a connection to the service socket. */
  serviceCommand?: string[];
}

/** What egress other than `none` needs here, or why it cannot be had. */
function egressTools(): { setpriv: string } | string {
  const setpriv = which("setpriv");
  if (!setpriv) return "needs setpriv on the runner host (apt-get install util-linux)";
  const firewall = egressFirewallProbe();
  return firewall.ok ? { setpriv } : `needs nftables on the runner host: ${firewall.why} (apt-get install nftables)`;
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
const run = (command: string, args: string[]) => spawnSync(command, args, { encoding: "utf8", timeout: 60_000 });

/**
 * The script the guest's init runs as the job's user: its rlimits (processes, file size — inside the VM, where
 * only the job runs as uid 1001), cwd, exactly the request's env, then the command.
 */
export function requestScript(request: ExecRequest, limits: SandboxLimits = {}): string {
  for (const key of Object.keys(request.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`env name ${JSON.stringify(key)} is not a valid variable name`);
  }
  const env = Object.entries(request.env).map(([key, value]) => quote(`${key}=${value}`));
  const rlimits = [
    ...(limits.pids !== undefined ? [`ulimit -u ${Math.floor(limits.pids)}`] : []),
    // bash counts -f in 1024-byte blocks.
    ...(limits.fileSizeBytes !== undefined ? [`ulimit -f ${Math.floor(limits.fileSizeBytes / 1024)}`] : []),
  ].map((line) => `${line} || exit 125\n`);
  return `${rlimits.join("")}cd -- ${quote(request.cwd)} || exit 1\nexec /usr/bin/env -i ${env.join(" ")} ${request.argv.map(quote).join(" ")}\n`;
}

/** The job's disk: a sparse ext4 image, mounted on the host only while no VM has it. */
class WorkDisk {
  readonly image: string;
  readonly mountpoint: string;
  private mounted = false;

  constructor(readonly root: string, bytes: number) {
    this.image = path.join(root, "disk.img");
    this.mountpoint = path.join(root, "vol");
    mkdirSync(this.mountpoint, { mode: 0o700 });
    writeFileSync(this.image, "", { mode: 0o600 });
    check(run("truncate", ["-s", String(bytes), this.image]), "truncate the disk image");
    check(run("mkfs.ext4", ["-q", "-F", "-O", "^has_journal", "-m", "0", this.image]), "mkfs.ext4 the disk image");
    this.attach();
    for (const dir of ["workspace", "tmp", "runner", "home"]) {
      mkdirSync(path.join(this.mountpoint, dir), { mode: 0o700 });
      chownSync(path.join(this.mountpoint, dir), GUEST_UID, GUEST_UID);
    }
    mkdirSync(path.join(this.mountpoint, ".gantry"), { mode: 0o700 });
  }

  attach(): void {
    if (this.mounted) return;
    check(run("mount", ["-o", "loop,nosuid,nodev", this.image, this.mountpoint]), "mount the disk image");
    this.mounted = true;
  }

  /** Unmounted before a VM boots on the image: two kernels writing one ext4 would corrupt it. */
  detach(): void {
    if (!this.mounted) return;
    check(run("umount", [this.mountpoint]), "unmount the disk image (is a host process using the workspace?)");
    this.mounted = false;
  }

  /** Full, as far as the host can tell: only while mounted here, i.e. between execs. */
  full(): boolean {
    return this.mounted && volumeFull(this.mountpoint);
  }

  remove(): void {
    if (this.mounted) run("umount", ["-l", this.mountpoint]);
    this.mounted = false;
    rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** QEMU's option value escapes a comma by doubling it. */
const optionValue = (value: string) => value.replaceAll(",", ",,");

function netdevOption(nic: VmNic): string {
  const parts = ["user", "id=net0", "ipv6=off", ...(nic.restrict ? ["restrict=on"] : [])];
  // libslirp splits the command like a shell would; the runner's paths carry no quotes or spaces it would misread.
  if (nic.serviceCommand) parts.push(`guestfwd=tcp:${SERVICE_ADDRESS}:${SERVICE_PORT_INSIDE}-cmd:${nic.serviceCommand.map(optionValue).join(" ")}`);
  return parts.join(",");
}

function check(result: ReturnType<typeof run>, what: string): void {
  if (result.status !== 0) throw new Error(`microvm: cannot ${what}: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim()}`);
}

class MicrovmSandbox implements Sandbox {
  readonly provider = "microvm";
  readonly paths = INSIDE;
  readonly hostPaths: SandboxPaths;
  readonly enforced: EnforcedLimits;
  readonly baseEnv = BASE_ENV;
  private current: SandboxProcess | undefined;
  private destroyed = false;
  private readonly deadline: number | undefined;
  readonly serviceUrl?: string;

  constructor(
    private readonly qemu: string,
    private readonly image: GuestImage,
    private readonly disk: WorkDisk,
    private readonly spec: SandboxSpec,
    private readonly network: VmNetwork | undefined,
    private readonly nic: VmNic | undefined,
  ) {
    if (nic?.serviceCommand) this.serviceUrl = `http://${SERVICE_ADDRESS}:${SERVICE_PORT_INSIDE}`;
    this.hostPaths = { workspace: path.join(disk.mountpoint, "workspace"), temp: path.join(disk.mountpoint, "tmp"), runnerFiles: path.join(disk.mountpoint, "runner") };
    const limits = spec.limits ?? {};
    this.enforced = {
      memory: "vm",
      cpu: "vm",
      disk: "loop-ext4",
      ...(limits.wallTimeMs !== undefined ? { wallTime: "timer" as const } : {}),
      ...(limits.pids !== undefined ? { pids: "rlimit-nproc" as const } : {}),
      ...(limits.fileSizeBytes !== undefined ? { fileSize: "rlimit-fsize" as const } : {}),
    };
    this.deadline = limits.wallTimeMs === undefined ? undefined : Date.now() + limits.wallTimeMs;
  }

  private qemuArgs(): string[] {
    const { accel } = chooseAccelerator(this.qemu);
    const limits = this.spec.limits ?? {};
    const memoryMiB = Math.max(256, Math.floor((limits.memoryBytes ?? DEFAULT_MEMORY_BYTES) / 1024 ** 2));
    const cpus = Math.max(1, Math.min(os.cpus().length, Math.ceil(limits.cpus ?? 1)));
    return [
      this.qemu,
      "-M", "microvm,isa-serial=on,pit=on,rtc=on", "-accel", accel, "-cpu", accel === "kvm" ? "host" : "max",
      "-m", String(memoryMiB), "-smp", String(cpus),
      "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
      "-kernel", this.image.kernel, "-initrd", this.image.initrd,
      // Under TCG the kernel can stall calibrating the TSC and the delay loop against timers it cannot read:
      // give it both values instead (the exact numbers matter little inside a short-lived job VM).
      "-append", "console=ttyS0 quiet loglevel=0 panic=-1 tsc=reliable no_timer_check lpj=4000000 tsc_early_khz=2000000",
      "-chardev", `file,id=ctl,path=${path.join(this.disk.root, "console.log")}`, "-serial", "chardev:ctl",
      "-drive", `id=root,file=${this.image.rootfs},format=raw,if=none,readonly=on`, "-device", "virtio-blk-device,drive=root",
      "-drive", `id=work,file=${this.disk.image},format=raw,if=none`, "-device", "virtio-blk-device,drive=work",
      "-device", "virtio-serial-device", "-chardev", `socket,id=out,path=${path.join(this.disk.root, "out.sock")}`, "-device", "virtserialport,chardev=out",
      // QEMU's own user-mode stack (no host loopback alias reachable: the firewall rejects the host's addresses;
      // the service-only NIC of egress none is `restrict=on`, so only its guestfwd answers).
      ...(this.nic ? ["-netdev", netdevOption(this.nic), "-device", "virtio-net-device,netdev=net0"] : []),
    ];
  }

  exec(request: ExecRequest): SandboxProcess {
    if (this.destroyed) throw new Error("sandbox destroyed");
    if (this.current) throw new Error("microvm runs one exec at a time (one VM per exec)");
    // The request (with the step's env, i.e. secrets) goes on the disk, never on QEMU's argv.
    writeFileSync(path.join(this.disk.mountpoint, ".gantry", "request.sh"), requestScript(request, this.spec.limits), { mode: 0o600 });
    const consoleLog = path.join(this.disk.root, "console.log");
    rmSync(consoleLog, { force: true });
    this.disk.detach();
    const timeoutMs = execTimeoutMs(this.deadline, request.timeoutMs);
    // The guest's output arrives on a unix socket QEMU connects to (its stdio chardev stalls the guest when
    // stdin is /dev/null); QEMU's own errors come on its stdout/stderr. Both go into one stream.
    const output = new PassThrough();
    const socketPath = path.join(this.disk.root, "out.sock");
    rmSync(socketPath, { force: true });
    let guestStream: Promise<void> = Promise.resolve();
    const server = net.createServer((socket) => {
      guestStream = new Promise((resolve) => socket.once("close", () => resolve()));
      socket.pipe(output, { end: false });
    });
    // A unix-socket listen binds synchronously, so QEMU (spawned next) finds it.
    server.listen(socketPath);
    // Still root (disk images, /dev/kvm), but with the sandbox's egress group: every socket QEMU's stack opens.
    const asEgressGroup = this.network ? [this.network.setpriv, `--regid=${this.network.gid}`, "--clear-groups", "--"] : [];
    const vm = spawnExec({ argv: [...asEgressGroup, ...this.qemuArgs()], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" }, cwd: this.disk.root, timeoutMs });
    // QEMU pauses (it does not exit) a VM that hits a KVM internal error: seen on its own output, the VM is stopped
    // and the exec reported as the sandbox's failure, so the job is retried rather than left waiting for its timeout.
    let sandboxFailure: string | undefined;
    let tail = "";
    const hostStream = (async () => {
      for await (const chunk of vm.output) {
        output.write(chunk);
        tail = (tail + chunk.toString("latin1")).slice(-4096);
        const stopped = sandboxFailure === undefined ? kvmInternalError(tail) : undefined;
        if (stopped !== undefined) {
          sandboxFailure = `the VM stopped on a KVM internal error (${stopped}: QEMU could not run the guest on this host's KVM)`;
          kvmFailed(this.qemu, stopped);
          vm.stop();
        }
      }
    })();
    const done = vm.wait().then(async (result): Promise<ExecResult> => {
      await hostStream;
      await guestStream;
      server.close();
      output.end();
      this.current = undefined;
      const reported = existsSync(consoleLog) ? EXIT_LINE.exec(readFileSync(consoleLog, "utf8")) : null;
      if (!this.destroyed) this.disk.attach();
      if (sandboxFailure !== undefined) return { ...result, exitCode: null, signal: result.signal ?? "SIGKILL", sandboxFailure };
      if (reported && result.exitCode === 0) return { ...result, exitCode: Number(reported[1]) };
      // Killed (timeout, stop) or the guest died before reporting: no exit code from the job.
      return { ...result, exitCode: null, signal: result.signal ?? "SIGKILL" };
    });
    const child: SandboxProcess = { output, wait: () => done, stop: () => vm.stop() };
    this.current = child;
    return child;
  }

  /** Only the disk is visible from the host: the guest's OOM kills and refused forks happen in its own kernel. */
  limitEvents(): LimitEvents {
    return { ...NO_LIMIT_EVENTS, diskFull: this.disk.full() };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const running = this.current;
    running?.stop();
    await running?.wait();
    this.disk.remove();
    try {
      this.network?.removeRules();
    } catch {
      // A later sandbox of this gid replaces them; until then its traffic stays confined to its rules.
    }
    this.network?.uid.release();
  }
}

export class MicrovmProvider implements SandboxProvider {
  readonly name = "microvm";
  private readonly stateDir: string;

  private readonly resolveHost: HostLookup | undefined;

  constructor(options: { stateDir?: string; resolveHost?: HostLookup } = {}) {
    this.stateDir = options.stateDir ?? defaultStateDir();
    this.resolveHost = options.resolveHost;
  }

  async probe(): Promise<ProbeResult> {
    const qemu = which("qemu-system-x86_64");
    if (!qemu) return { available: false, detail: "qemu-system-x86_64 is not on PATH (apt-get install qemu-system-x86)" };
    if (process.getuid?.() !== 0) return { available: false, detail: "the microvm provider needs root (loop-mounted workspace disks)" };
    const missing = missingBuildTools();
    if (missing) return { available: false, detail: missing };
    const { accel, why } = chooseAccelerator(qemu);
    const firecracker = which("firecracker") ? "; a firecracker binary is on PATH but not used (QEMU only)" : "";
    const egress = egressProbe(egressTools(), "QEMU user-mode network + nftables");
    return { available: true, detail: `${qemu} -M microvm, ${accel.toUpperCase()}: ${why}${firecracker}; ${egress.detail}`, egress: egress.egress };
  }

  async prepare(spec: SandboxSpec): Promise<Sandbox> {
    const qemu = which("qemu-system-x86_64");
    if (!qemu) throw new Error("qemu-system-x86_64 is not on PATH");
    const policy = spec.network ?? "none";
    const tools = policy === "none" ? undefined : egressTools();
    if (typeof tools === "string") throw new SandboxRefusedError(`egress ${policy} ${tools}`);
    const service = spec.serviceSocket;
    if (service !== undefined && /[\s'"\\]/.test(service + process.execPath)) throw new Error(`microvm: the service socket or node path has characters QEMU's guestfwd would split: ${service}`);
    const image = await ensureGuestImage(this.stateDir);
    const allow = policy === "allowlist" ? await resolveAllowlist(spec.egressAllowlist ?? [], this.resolveHost) : undefined;
    const root = mkdtempSync(path.join(os.tmpdir(), "gantry-mvm-"));
    // Traversable, not listable: host-side git runs as the guest's uid over the mounted workspace below it (as
    // workspace.ts does for bwrap); the disk image itself stays root's alone.
    chmodSync(root, 0o711);
    let network: VmNetwork | undefined;
    try {
      const disk = new WorkDisk(root, spec.limits?.diskBytes ?? DEFAULT_DISK_BYTES);
      const serviceNic = service !== undefined && policy === "none";
      const nic: VmNic | undefined = tools ? { restrict: false } : serviceNic ? { restrict: true, serviceCommand: [process.execPath, writeStdioForwarder(root), service] } : undefined;
      if (serviceNic) {
        const files = sandboxNameFiles("allowlist", undefined, QEMU_NET.dns);
        const dir = path.join(disk.mountpoint, ".gantry");
        writeFileSync(path.join(dir, "net"), `${QEMU_NET.address} ${QEMU_NET.gateway}\n`, { mode: 0o644 });
        writeFileSync(path.join(dir, "hosts"), files.hosts, { mode: 0o644 });
        writeFileSync(path.join(dir, "resolv.conf"), files.resolv, { mode: 0o644 });
      }
      if (tools && policy !== "none") {
        const uid = claimUid();
        if (!uid) throw new Error("no free sandbox id for the VM's egress group");
        const gid = egressGidOf(uid.uid);
        try {
          network = { setpriv: tools.setpriv, gid, uid, removeRules: installEgressRules(gid, { policy, ...(allow ? { allow } : {}) }) };
        } catch (error) {
          uid.release();
          throw error;
        }
        // The guest's init configures eth0 from `net` and binds the name files over its /etc.
        const files = sandboxNameFiles(policy, allow, QEMU_NET.dns);
        const dir = path.join(disk.mountpoint, ".gantry");
        writeFileSync(path.join(dir, "net"), `${QEMU_NET.address} ${QEMU_NET.gateway}\n`, { mode: 0o644 });
        writeFileSync(path.join(dir, "hosts"), files.hosts, { mode: 0o644 });
        writeFileSync(path.join(dir, "resolv.conf"), files.resolv, { mode: 0o644 });
      }
      return new MicrovmSandbox(qemu, image, disk, spec, network, nic);
    } catch (error) {
      network?.removeRules();
      network?.uid.release();
      run("umount", ["-l", path.join(root, "vol")]);
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }
}
