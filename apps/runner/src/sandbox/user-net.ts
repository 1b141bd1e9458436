// A sandbox's way out when its egress is not `none`: slirp4netns, a user-mode TCP/IP stack, gives the sandbox's
// own network namespace a tap device and turns its packets into ordinary sockets on the host. It runs as the
// sandbox's host uid with a group of its own and no capability, so the egress firewall (egress-firewall.ts)
// tells its packets apart by that group; the sandbox keeps a loopback of its own, and slirp's gateway alias for
// the host's loopback is off (--disable-host-loopback).
//
// Joining the namespace: bwrap nests a second user namespace inside the one that owns the network namespace, so
// /proc/<pid>/ns/user is the wrong one. A few lines of Perl (perl-base is in every Debian), still as root, open
// the network namespace and ask the kernel for its owner (ioctl NS_GET_USERNS), then exec setpriv, which drops
// to the sandbox's uid and the stack's group and execs slirp4netns on the inherited descriptors. As the owner's
// uid, slirp4netns may enter that user namespace and, from it, the network namespace.
import { spawn } from "node:child_process";
import type { Duplex } from "node:stream";
import { egressFirewallProbe } from "./egress-firewall";

const NS_GET_USERNS = 0xb701;
const OPEN_NAMESPACES = [
  "use Fcntl;",
  'my $pid = shift @ARGV; open(my $net, "<", "/proc/$pid/ns/net") or die "gantry: the sandbox network namespace: $!\\n";',
  `my $fd = ioctl($net, ${NS_GET_USERNS}, 0); defined $fd or die "gantry: NS_GET_USERNS: $!\\n"; $fd += 0;`,
  'open(my $owner, "<&=", $fd) or die "gantry: $!\\n";',
  'fcntl($_, F_SETFD, 0) or die "gantry: $!\\n" for ($net, $owner); my $netfd = fileno($net);',
  'exec(@ARGV, "--userns-path=/proc/self/fd/$fd", "--netns-type=path", "/proc/self/fd/$netfd", "tap0") or die "gantry: exec: $!\\n";',
].join(" ");

/** The guest side of slirp4netns' default network: the sandbox's address, its gateway and its DNS forwarder. */
export const USER_NET = { address: "10.0.2.100", gateway: "10.0.2.2", dns: "10.0.2.3" } as const;

export interface UserNetTools {
  setpriv: string;
  perl: string;
  slirp4netns: string;
}

export interface UserNet {
  /** Stops the stack (idempotent); resolves once its process is gone. */
  stop(): Promise<void>;
}

/**
 * The tools a user-mode network needs, each with the Debian package that has it (`extra`: a provider's own), or
 * why they cannot be had here — then the sandbox is refused rather than run with a network that fails.
 */
export function findUserNetTools(found: Partial<UserNetTools>, extra: Record<string, [string | undefined, string]> = {}): UserNetTools | string {
  const { setpriv, slirp4netns, perl } = found;
  const needed: Record<string, [string | undefined, string]> = { slirp4netns: [slirp4netns, "slirp4netns"], perl: [perl, "perl-base"], setpriv: [setpriv, "util-linux"], ...extra };
  const missing = Object.entries(needed).filter(([, [path]]) => !path);
  if (missing.length > 0 || !setpriv || !slirp4netns || !perl) {
    return `needs ${missing.map(([tool]) => tool).join(" and ")} on the runner host (apt-get install ${[...new Set(missing.map(([, [, pkg]]) => pkg))].join(" ")})`;
  }
  const firewall = egressFirewallProbe();
  if (!firewall.ok) return `needs nftables on the runner host: ${firewall.why} (apt-get install nftables)`;
  return { setpriv, perl, slirp4netns };
}

/** Connects the network namespace of `pid` (a sandbox process) to the outside, as `uid` with group `gid`. */
export function attachUserNet(tools: UserNetTools, pid: number, ids: { uid: number; gid: number }, timeoutMs = 10_000): Promise<UserNet> {
  const argv = [
    "-e", OPEN_NAMESPACES, String(pid),
    tools.setpriv, `--reuid=${ids.uid}`, `--regid=${ids.gid}`, "--clear-groups", "--no-new-privs",
    tools.slirp4netns, "--configure", "--mtu=65520", "--disable-host-loopback", "--enable-seccomp",
    // fd 3 says ready; slirp4netns exits when fd 4 closes, which the runner's death does too.
    "--ready-fd=3", "--exit-fd=4",
  ];
  const child = spawn(tools.perl, argv, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
  const ready = child.stdio[3] as Duplex;
  const exit = child.stdio[4] as Duplex;
  let stderr = "";
  child.stderr?.on("data", (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-2000);
  });
  const gone = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = () => {
    exit.destroy();
    child.kill("SIGKILL");
    return gone;
  };
  return new Promise<UserNet>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`slirp4netns did not start: ${why}${stderr.trim() ? ` (${stderr.trim().split("\n").filter((line) => !line.includes("seccomp is experimental")).slice(-3).join("; ")})` : ""}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    child.once("error", (error) => fail(error.message));
    child.once("exit", (code, signal) => fail(`exited (${signal ?? code})`));
    ready.once("data", () => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.removeAllListeners("error");
      child.on("error", () => undefined);
      resolve({ stop });
    });
  });
}
