// What a networked sandbox may reach, enforced by the host's nftables. A sandbox with egress never shares the
// host's network: it has its own namespace, and its traffic leaves through a user-mode network stack
// (user-net.ts) running with a group of its own (uid-pool.ts egressGidOf), so `meta skgid` names every packet
// of one sandbox. Each sandbox gets a chain in table `inet gantry_egress`, entered through a verdict map keyed
// by that gid; any other gid of the range is rejected, so a leftover stack of a finished sandbox reaches
// nothing. Rules, in order:
//   cloud metadata and link-local addresses → rejected (even when listed, even under `open`)
//   [open] DNS to the host's resolvers → accepted (the user-mode stack forwards the sandbox's queries there)
//   any address of the runner host itself → rejected (its services, its loopback, other sandboxes' ports)
//   open → accepted; allowlist → accepted only into the sandbox's address sets, else rejected.
import { spawnSync } from "node:child_process";
import { lookup } from "node:dns/promises";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import type { NetworkPolicy } from "./types";
import { EGRESS_GID_RANGE } from "./uid-pool";

const TABLE = "gantry_egress";
// AWS, GCP, Azure, Oracle and DigitalOcean answer on 169.254.169.254 (inside the link-local range); Alibaba
// on 100.100.100.200; Azure's wire server on 168.63.129.16; AWS's IPv6 endpoint on fd00:ec2::254.
const METADATA_V4 = ["169.254.0.0/16", "100.100.100.200", "168.63.129.16"];
const METADATA_V6 = ["fe80::/10", "fd00:ec2::254"];

export interface AllowlistResolution {
  /** Addresses and ranges that go into the sandbox's sets. */
  v4: string[];
  v6: string[];
  /** name → addresses, for the sandbox's /etc/hosts (it has no DNS under an allowlist). */
  hosts: Map<string, string[]>;
  /** Names that did not resolve: reaching them fails, and the job's log says why. */
  unresolved: string[];
}

export type HostLookup = (host: string) => Promise<string[]>;

const systemLookup: HostLookup = async (host) => (await lookup(host, { all: true })).map((entry) => entry.address);

/** Splits an allowlist into address sets, resolving host names now, on the host. */
export async function resolveAllowlist(entries: readonly string[], resolve: HostLookup = systemLookup): Promise<AllowlistResolution> {
  const result: AllowlistResolution = { v4: [], v6: [], hosts: new Map(), unresolved: [] };
  const add = (address: string) => (isIP(address.split("/")[0] ?? "") === 6 ? result.v6 : result.v4).push(address);
  for (const entry of entries) {
    if (isIP(entry.split("/")[0] ?? "") !== 0) {
      add(entry);
      continue;
    }
    const addresses = await resolve(entry).catch(() => []);
    if (addresses.length === 0) result.unresolved.push(entry);
    else result.hosts.set(entry, addresses);
    addresses.forEach(add);
  }
  return result;
}

/**
 * A networked sandbox's /etc/hosts and /etc/resolv.conf. Under an allowlist it has no DNS: the listed names are
 * in the hosts file and every other name fails at once (no query leaves, so no DNS tunnelling); under `open` its
 * resolver is the user-mode stack's forwarder.
 */
export function sandboxNameFiles(policy: "open" | "allowlist", allow: AllowlistResolution | undefined, forwarder: string): { hosts: string; resolv: string } {
  const hosts = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"];
  for (const [name, addresses] of allow?.hosts ?? []) for (const address of addresses) hosts.push(`${address} ${name}`);
  const resolv = policy === "open" ? `nameserver ${forwarder}\n` : "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n";
  return { hosts: `${hosts.join("\n")}\n`, resolv };
}

/**
 * A provider probe's egress part: all three policies when the tools for them were found (`tools`, an object),
 * `none` only with the reason otherwise (`tools`, a string); `how` names the stack, as the detail tells it.
 */
export function egressProbe(tools: object | string, how: string): { detail: string; egress: NetworkPolicy[] } {
  return typeof tools === "string"
    ? { detail: `egress none only: open and allowlist ${tools}`, egress: ["none"] }
    : { detail: `egress none, allowlist and open (${how})`, egress: ["none", "allowlist", "open"] };
}

/** The host's resolvers (`nameserver` lines), which a sandbox under `open` reaches through the user-mode stack. */
export function hostResolvers(resolvConf = "/etc/resolv.conf"): { v4: string[]; v6: string[] } {
  let text: string;
  try {
    text = readFileSync(resolvConf, "utf8");
  } catch {
    return { v4: [], v6: [] };
  }
  const servers = [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((match) => (match[1] ?? "").split("%")[0] ?? "");
  return { v4: servers.filter((s) => isIP(s) === 4), v6: servers.filter((s) => isIP(s) === 6) };
}

function nft(script: string): void {
  const result = spawnSync("nft", ["-f", "-"], { input: script, encoding: "utf8", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
  if (result.status !== 0) throw new Error(`nft: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim()}`);
}

const set = (items: string[]) => `{ ${items.join(", ")} }`;
// TCP gets a reset, so a denied connect fails at once (the user-mode stack passes the refusal on); the rest an
// ICMP "administratively prohibited".
const reject = (prefix: string, match: string) => [`${prefix} ${match} meta l4proto tcp reject with tcp reset`, `${prefix} ${match} reject with icmpx admin-prohibited`];

let tableReady = false;
/** The shared table: set up once per host (several runners may share it), checked once per runner process. */
function ensureTable(): void {
  if (tableReady) return;
  const listed = spawnSync("nft", ["list", "chain", "inet", TABLE, "output"], { encoding: "utf8", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
  if (listed.status !== 0 || !listed.stdout.includes("@sandboxes")) {
    const [first, last] = EGRESS_GID_RANGE;
    nft(`add table inet ${TABLE}
add map inet ${TABLE} sandboxes { type gid : verdict; }
add chain inet ${TABLE} output { type filter hook output priority filter; policy accept; }
flush chain inet ${TABLE} output
add rule inet ${TABLE} output meta skgid ${first}-${last} meta skgid vmap @sandboxes
${reject(`add rule inet ${TABLE} output`, `meta skgid ${first}-${last}`).join("\n")}
`);
  }
  tableReady = true;
}

export interface EgressRules {
  policy: "open" | "allowlist";
  allow?: AllowlistResolution;
}

/** Installs the sandbox's chain and points its stack's gid at it. Replaces whatever an earlier one of the gid left. */
export function installEgressRules(gid: number, rules: EgressRules): () => void {
  ensureTable();
  const chain = `sbx_${gid}`;
  const rule = `add rule inet ${TABLE} ${chain}`;
  const lines = [
    `add chain inet ${TABLE} ${chain}`,
    `flush chain inet ${TABLE} ${chain}`,
    `add set inet ${TABLE} ${chain}_v4 { type ipv4_addr; flags interval; }`,
    `flush set inet ${TABLE} ${chain}_v4`,
    `add set inet ${TABLE} ${chain}_v6 { type ipv6_addr; flags interval; }`,
    `flush set inet ${TABLE} ${chain}_v6`,
    ...reject(rule, `ip daddr ${set(METADATA_V4)}`),
    ...reject(rule, `ip6 daddr ${set(METADATA_V6)}`),
  ];
  if (rules.policy === "open") {
    const resolvers = hostResolvers();
    if (resolvers.v4.length > 0) lines.push(`${rule} ip daddr ${set(resolvers.v4)} meta l4proto { tcp, udp } th dport 53 accept`);
    if (resolvers.v6.length > 0) lines.push(`${rule} ip6 daddr ${set(resolvers.v6)} meta l4proto { tcp, udp } th dport 53 accept`);
  }
  lines.push(...reject(rule, "fib daddr type local"));
  if (rules.policy === "open") {
    lines.push(`${rule} accept`);
  } else {
    const allow = rules.allow ?? { v4: [], v6: [], hosts: new Map(), unresolved: [] };
    if (allow.v4.length > 0) lines.push(`add element inet ${TABLE} ${chain}_v4 ${set(allow.v4)}`);
    if (allow.v6.length > 0) lines.push(`add element inet ${TABLE} ${chain}_v6 ${set(allow.v6)}`);
    lines.push(`${rule} ip daddr @${chain}_v4 accept`, `${rule} ip6 daddr @${chain}_v6 accept`);
    lines.push(...reject(rule, ""));
  }
  lines.push(`add element inet ${TABLE} sandboxes { ${gid} : jump ${chain} }`);
  nft(`${lines.join("\n")}\n`);
  return () => removeEgressRules(gid);
}

/** Points the gid back at the range's reject and drops its chain and sets. */
export function removeEgressRules(gid: number): void {
  const chain = `sbx_${gid}`;
  // One transaction: the map entry goes first so the chain is unreferenced when it is deleted.
  nft(`delete element inet ${TABLE} sandboxes { ${gid} }
delete chain inet ${TABLE} ${chain}
delete set inet ${TABLE} ${chain}_v4
delete set inet ${TABLE} ${chain}_v6
`);
}

/** Whether this host can enforce egress rules: nft present and allowed to change the ruleset. */
export function egressFirewallProbe(): { ok: true } | { ok: false; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: "the runner is not root (nftables and per-sandbox ids need it)" };
  try {
    ensureTable();
    return { ok: true };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error) };
  }
}
