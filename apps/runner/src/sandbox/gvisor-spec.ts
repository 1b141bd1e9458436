// The OCI runtime spec (config.json) of one gVisor exec: a read-only root made of the host's /usr and a
// minimal /etc, the sandbox's writable directories, the job's user, env and rlimits. runsc reads it from the
// bundle directory, so env values (secrets) never appear on a command line.
import { existsSync } from "node:fs";
import { HOST_ETC, hostRoots, INSIDE_HOME } from "./inside";

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface GvisorExecSpec {
  /** A host directory (read-only inside) that is the root: its only entries are merged-/usr symlinks. */
  rootfs: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  user: { uid: number; gid: number };
  /** The job's HOME on the host (kept across execs). */
  home: string;
  /** Host files bound read-only over /etc entries (passwd, group, ld.so.preload), instead of the host's. */
  etc: Record<string, string>;
  /** Writable host directories and where they appear inside. */
  writable: { host: string; inside: string }[];
  /** Host files bound read-only at an inside path (the statx shim). */
  readOnly: { host: string; inside: string }[];
  rlimits: { type: "RLIMIT_NPROC" | "RLIMIT_FSIZE" | "RLIMIT_AS" | "RLIMIT_NOFILE"; limit: number }[];
  /** A network namespace for runsc to take over (egress); absent: a new one, which `--network=none` leaves empty. */
  netns?: string;
}

const bind = (source: string, destination: string, writable: boolean): OciMount => ({ destination, type: "bind", source, options: ["rbind", writable ? "rw" : "ro", "nosuid", "nodev"] });

export function gvisorMounts(spec: GvisorExecSpec): OciMount[] {
  const mounts: OciMount[] = [
    { destination: "/proc", type: "proc", source: "proc", options: [] },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
    { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
    bind("/usr", "/usr", false),
    // Merged-/usr links are in the root directory itself (gvisor-provider.ts); real directories are bound.
    ...hostRoots()
      .filter((root) => root.link === undefined)
      .map((root) => bind(root.path, root.path, false)),
  ];
  for (const entry of HOST_ETC) {
    if (entry in spec.etc || !existsSync(`/etc/${entry}`)) continue;
    mounts.push(bind(`/etc/${entry}`, `/etc/${entry}`, false));
  }
  for (const [entry, host] of Object.entries(spec.etc)) mounts.push(bind(host, `/etc/${entry}`, false));
  // HOME is the job's own folder, kept across execs as with bwrap; the workspace and runner files are mounted inside it.
  mounts.push(bind(spec.home, INSIDE_HOME, true));
  for (const { host, inside } of spec.writable) mounts.push(bind(host, inside, true));
  for (const { host, inside } of spec.readOnly) mounts.push(bind(host, inside, false));
  return mounts;
}

export function gvisorSpec(spec: GvisorExecSpec): object {
  const none = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
  return {
    ociVersion: "1.0.0",
    process: {
      terminal: false,
      user: { uid: spec.user.uid, gid: spec.user.gid, additionalGids: [] },
      args: spec.argv,
      env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
      cwd: spec.cwd,
      capabilities: none,
      rlimits: spec.rlimits.map(({ type, limit }) => ({ type, hard: limit, soft: limit })),
      noNewPrivileges: true,
    },
    root: { path: spec.rootfs, readonly: true },
    hostname: "gantry",
    mounts: gvisorMounts(spec),
    linux: {
      namespaces: [...["pid", "ipc", "uts", "mount"].map((type) => ({ type })), spec.netns ? { type: "network", path: spec.netns } : { type: "network" }],
      maskedPaths: ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
      readonlyPaths: ["/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}
