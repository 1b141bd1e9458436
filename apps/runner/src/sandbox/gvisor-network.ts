// Egress `allowlist` and `open` for gVisor: the same user-mode stack and firewall as bwrap (user-net.ts,
// egress-firewall.ts), attached to a network namespace of the sandbox's own that every exec's runsc takes over
// (`--network=sandbox`: gVisor's netstack drives the namespace's tap device itself).
//
// - The namespace is held by a `sleep` in a user namespace owned by the sandbox's uid (so slirp4netns, as that
//   uid, may join it); it dies with the runner (pdeathsig) and with the sandbox.
// - runsc removes the addresses and routes it copies from the namespace, so each exec puts them back first.
// - Bookworm's runsc decides it was handed the host's namespace when /proc/sys/net/core/rmem_default exists, which
//   on kernels since 6.x it does in every namespace; runsc therefore runs in a mount namespace of its own whose
//   /proc/sys is a small tmpfs holding the two values runsc reads from it (vm.mmap_min_addr, kernel.cap_last_cap).
import { spawn, type ChildProcess } from "node:child_process";
import { readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { installEgressRules, sandboxNameFiles, type AllowlistResolution } from "./egress-firewall";
import { which } from "./host-tools";
import { egressGidOf } from "./uid-pool";
import { attachUserNet, findUserNetTools, USER_NET, type UserNet, type UserNetTools } from "./user-net";

export interface GvisorNetworkTools extends UserNetTools {
  unshare: string;
  nsenter: string;
  ip: string;
}

/** What egress other than `none` needs for gVisor here, or why it cannot be had. */
export function gvisorNetworkTools(): GvisorNetworkTools | string {
  const [unshare, nsenter, ip] = [which("unshare"), which("nsenter"), which("ip")];
  const base = findUserNetTools({ setpriv: which("setpriv"), slirp4netns: which("slirp4netns"), perl: which("perl") }, { unshare: [unshare, "util-linux"], nsenter: [nsenter, "util-linux"], ip: [ip, "iproute2"] });
  if (typeof base === "string") return base;
  if (!unshare || !nsenter || !ip) return "needs unshare, nsenter and ip on the runner host";
  return { ...base, unshare, nsenter, ip };
}

export interface GvisorNetwork {
  /** The namespace runsc takes over (the spec's network namespace path). */
  nsPath: string;
  /** Host shell run before each exec: the tap device's address and default route back in place. */
  preamble: string;
  /** Argv in front of runsc: its own mount namespace with the /proc/sys stand-in. */
  wrapper: string[];
  /** The sandbox's /etc/hosts and /etc/resolv.conf (host paths). */
  etc: Record<string, string>;
  close(): Promise<void>;
}

const SYSCTL_STAND_IN = [
  "mmap=$(cat /proc/sys/vm/mmap_min_addr) && cap=$(cat /proc/sys/kernel/cap_last_cap) || exit 125",
  "mount -t tmpfs -o mode=755,size=64k gantry-sysctl /proc/sys && mkdir /proc/sys/vm /proc/sys/kernel || exit 125",
  'echo "$mmap" >/proc/sys/vm/mmap_min_addr && echo "$cap" >/proc/sys/kernel/cap_last_cap || exit 125',
  'exec "$@"',
].join("\n");

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

async function holdNamespace(tools: GvisorNetworkTools, uid: number): Promise<ChildProcess> {
  const holder = spawn(tools.setpriv, [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--pdeathsig=KILL", tools.unshare, "--user", "--map-root-user", "--net", "sleep", "infinity"], { stdio: "ignore", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
  const own = readlinkSync("/proc/self/ns/net");
  // The holder is in its namespace once its ns/net link differs from ours (a few ms after spawn).
  for (let waited = 0; waited < 5000; waited += 5) {
    if (holder.exitCode !== null) break;
    try {
      if (holder.pid !== undefined && readlinkSync(`/proc/${holder.pid}/ns/net`) !== own) return holder;
    } catch {
      // Not there yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  holder.kill("SIGKILL");
  throw new Error("the sandbox's network namespace did not come up");
}

export async function createGvisorNetwork(tools: GvisorNetworkTools, dir: string, uid: number, policy: "open" | "allowlist", allow: AllowlistResolution | undefined): Promise<GvisorNetwork> {
  const gid = egressGidOf(uid);
  const removeRules = installEgressRules(gid, { policy, ...(allow ? { allow } : {}) });
  let holder: ChildProcess | undefined;
  let net: UserNet | undefined;
  const close = async () => {
    await net?.stop();
    holder?.kill("SIGKILL");
    try {
      removeRules();
    } catch {
      // A later sandbox of this uid replaces them; until then the uid's traffic stays confined to its rules.
    }
  };
  try {
    holder = await holdNamespace(tools, uid);
    const nsPath = `/proc/${holder.pid}/ns/net`;
    net = await attachUserNet(tools, holder.pid ?? 0, { uid, gid });
    const files = sandboxNameFiles(policy, allow, USER_NET.dns);
    const etc = { hosts: path.join(dir, "hosts"), "resolv.conf": path.join(dir, "resolv.conf") };
    writeFileSync(etc.hosts, files.hosts, { mode: 0o644 });
    writeFileSync(etc["resolv.conf"], files.resolv, { mode: 0o644 });
    const inNs = `${quote(tools.nsenter)} --net=${nsPath} ${quote(tools.ip)}`;
    const preamble = `${inNs} addr replace ${USER_NET.address}/24 dev tap0 && ${inNs} route replace default via ${USER_NET.gateway} || exit 125`;
    const wrapper = [tools.unshare, "--mount", "--propagation", "private", "/bin/sh", "-c", SYSCTL_STAND_IN, "sh"];
    return { nsPath, preamble, wrapper, etc, close };
  } catch (error) {
    await close();
    throw error;
  }
}
