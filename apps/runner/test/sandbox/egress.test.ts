// Egress of real sandboxes through a user-mode network stack and the host's nftables: bwrap and gvisor
// (slirp4netns) and microvm (QEMU's own stack; slow under TCG, a VM boot per exec). A network namespace plays the internet: it
// answers on two addresses, on a cloud-metadata address and on a link-local one, and the host routes to all of
// them, so everything a sandbox is denied is reachable from the host itself.
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { statSync } from "node:fs";
import net from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BwrapProvider } from "../../src/sandbox/bwrap-provider";
import { GvisorProvider } from "../../src/sandbox/gvisor-provider";
import { MicrovmProvider } from "../../src/sandbox/microvm-provider";
import { jobEgress } from "../../src/sandbox-executor";
import { ProcessProvider } from "../../src/sandbox/process-provider";
import type { Sandbox, SandboxProvider, SandboxSpec } from "../../src/sandbox/types";
import { collect } from "../execution/helpers";

const subnet = `10.213.${randomInt(1, 250)}`;
const NAME = "svc.gantry.test";
const resolveHost = async (host: string) => (host === NAME ? [`${subnet}.2`] : []);

interface Subject {
  provider: SandboxProvider;
  /** The sandbox's network device. */
  device: string;
  /** Test-name prefix and time per test: a microvm under TCG boots a VM per exec. */
  slow: boolean;
  capable: boolean;
}

async function subject(provider: SandboxProvider, device: string, slow: boolean): Promise<Subject> {
  const probe = await provider.probe();
  const capable = probe.available && (probe.egress ?? []).includes("allowlist") && (probe.egress ?? []).includes("open");
  if (!capable) console.warn(`${provider.name} egress tests skipped: ${probe.detail}`);
  return { provider, device, slow, capable };
}

const subjects = [
  await subject(new BwrapProvider({ resolveHost }), "tap0", false),
  await subject(new GvisorProvider({ resolveHost }), "tap0", false),
  await subject(new MicrovmProvider({ resolveHost }), "eth0", true),
];
const capable = subjects.some((s) => s.capable);
const bwrap = subjects[0];

const METADATA = "100.100.100.200";
const LINK_LOCAL = "169.254.77.77";
const tag = randomInt(100_000, 999_999).toString(36);
const netns = `gantry-eg-${tag}`;
const [hostEnd, farEnd] = [`ge${tag}a`, `ge${tag}b`];
const PORT = 18_080;
let internet: ChildProcess | undefined;
let hostServer: net.Server | undefined;
let hostPort = 0;

function sh(command: string): void {
  const result = spawnSync("/bin/sh", ["-c", command], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command}: ${result.stderr}`);
}

beforeAll(async () => {
  if (!capable) return;
  sh(`ip netns add ${netns} && ip link add ${hostEnd} type veth peer name ${farEnd} && ip link set ${farEnd} netns ${netns}`);
  sh(`ip addr add ${subnet}.1/24 dev ${hostEnd} && ip link set ${hostEnd} up && ip route add ${METADATA}/32 via ${subnet}.2 && ip route add ${LINK_LOCAL}/32 via ${subnet}.2`);
  const inside = `ip netns exec ${netns}`;
  sh(`${inside} ip link set lo up && ${inside} ip link set ${farEnd} up && for a in ${subnet}.2/24 ${subnet}.3/24 ${METADATA}/32 ${LINK_LOCAL}/32; do ${inside} ip addr add $a dev ${farEnd}; done`);
  sh(`${inside} ip route add default via ${subnet}.1`);
  // Says which of its addresses was reached.
  const server = `require("net").createServer((s) => s.end("reached " + s.localAddress + "\\n")).listen(${PORT}, "0.0.0.0", () => console.log("up"))`;
  internet = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", server], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => internet?.stdout?.once("data", () => resolve()));
  hostServer = net.createServer((socket) => socket.end("reached the runner host\n"));
  await new Promise<void>((resolve) => hostServer?.listen(0, "0.0.0.0", resolve));
  const address = hostServer.address();
  hostPort = typeof address === "object" && address ? address.port : 0;
});

const opened: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.destroy()));
  hostServer?.close();
  internet?.kill();
  spawnSync("/bin/sh", ["-c", `ip route del ${METADATA}/32; ip route del ${LINK_LOCAL}/32; ip link del ${hostEnd}; ip netns del ${netns}`]);
});

async function sandbox(spec: Partial<SandboxSpec>, provider: SandboxProvider = bwrap?.provider ?? new BwrapProvider()): Promise<Sandbox> {
  const s = await provider.prepare({ untrusted: true, ...spec });
  opened.push(s);
  return s;
}

/** Connects to each host:port from inside; prints what answered or `blocked <target>`. */
async function reach(s: Sandbox, targets: string[]): Promise<string> {
  // A denied connect is refused at once, except under gVisor for slirp's own gateway address (its netstack
  // ignores the ICMP error slirp answers with): there it times out, which is as blocked.
  const script = targets.map((t) => `timeout 10 bash -c 'exec 3<>/dev/tcp/${t.replace(":", "/")} && head -1 <&3' 2>/dev/null || echo "blocked ${t}"`).join("; ");
  const child = s.exec({ argv: ["/bin/bash", "-c", script], env: s.baseEnv, cwd: s.paths.workspace, timeoutMs: 60_000 });
  const text = await collect(child.output);
  await child.wait();
  return text;
}

/** The same connection from the test process, on the host: proves the address answers at all. */
function reachFromHost(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => undefined);
    socket.once("data", (data) => resolve(data.toString().trim()));
    socket.once("error", (error) => resolve(`error ${error.message}`));
  });
}

const nftTable = () => spawnSync("nft", ["list", "table", "inet", "gantry_egress"], { encoding: "utf8" }).stdout;

for (const { provider, device, slow, capable: able } of subjects) {
  describe.skipIf(!able)(`${provider.name} egress`, () => {
    it(`${slow ? "slow: " : ""}open: reaches the internet, but neither cloud metadata nor link-local addresses nor the runner host`, { timeout: slow ? 180_000 : 30_000 }, async () => {
      expect(await reachFromHost(METADATA, PORT)).toBe(`reached ${METADATA}`);
      expect(await reachFromHost(LINK_LOCAL, PORT)).toBe(`reached ${LINK_LOCAL}`);
      const s = await sandbox({ network: "open" }, provider);
      const text = await reach(s, [`${subnet}.2:${PORT}`, `${subnet}.3:${PORT}`, `${METADATA}:${PORT}`, `${LINK_LOCAL}:${PORT}`, `127.0.0.1:${hostPort}`, `${subnet}.1:${hostPort}`, `10.0.2.2:${hostPort}`]);
      expect(text).toContain(`reached ${subnet}.2`);
      expect(text).toContain(`reached ${subnet}.3`);
      for (const denied of [METADATA, LINK_LOCAL]) expect(text).toContain(`blocked ${denied}:${PORT}`);
      expect(text).not.toContain("reached the runner host");
      for (const host of ["127.0.0.1", `${subnet}.1`, "10.0.2.2"]) expect(text).toContain(`blocked ${host}:${hostPort}`);
      // Its own network: the host's interfaces are not there, its device and its loopback are.
      const child = s.exec({ argv: ["/bin/sh", "-c", "cat /proc/net/dev; cat /etc/resolv.conf"], env: s.baseEnv, cwd: s.paths.workspace });
      const inside = await collect(child.output);
      expect(inside).toContain(device);
      expect(inside).not.toContain(hostEnd);
      expect(inside).toContain("nameserver 10.0.2.3");
      await s.destroy();
    });

    it(`${slow ? "slow: " : ""}allowlist: reaches only the listed names and ranges, never metadata even when listed, and has no DNS`, { timeout: slow ? 180_000 : 30_000 }, async () => {
      const s = await sandbox({ network: "allowlist", egressAllowlist: [NAME, `${subnet}.64/26`, METADATA, LINK_LOCAL, "unresolvable.gantry.test"] }, provider);
      const text = await reach(s, [`${NAME}:${PORT}`, `${subnet}.3:${PORT}`, `${METADATA}:${PORT}`, `${LINK_LOCAL}:${PORT}`, `${subnet}.1:${hostPort}`]);
      expect(text).toContain(`reached ${subnet}.2`);
      expect(text).toContain(`blocked ${subnet}.3:${PORT}`);
      expect(text).toContain(`blocked ${METADATA}:${PORT}`);
      expect(text).toContain(`blocked ${LINK_LOCAL}:${PORT}`);
      expect(text).toContain(`blocked ${subnet}.1:${hostPort}`);
      // Names outside the hosts file fail at once instead of leaking queries through a resolver.
      const started = Date.now();
      const child = s.exec({ argv: ["/bin/sh", "-c", `getent hosts ${NAME}; getent hosts example.com || echo no-dns`], env: s.baseEnv, cwd: s.paths.workspace });
      const names = await collect(child.output);
      expect(names).toContain(`${subnet}.2`);
      expect(names).toContain("no-dns");
      expect(Date.now() - started).toBeLessThan(slow ? 60_000 : 10_000);
      await s.destroy();
    });

    it(`${slow ? "slow: " : ""}none: no network at all, and each sandbox's rules go with it`, { timeout: slow ? 180_000 : 30_000 }, async () => {
      const s = await sandbox({ network: "none" }, provider);
      expect(await reach(s, [`${subnet}.2:${PORT}`])).toContain(`blocked ${subnet}.2:${PORT}`);
      const open = await sandbox({ network: "open" }, provider);
      expect(nftTable()).toMatch(/chain sbx_\d+/);
      await Promise.all([s.destroy(), open.destroy()]);
      expect(nftTable()).not.toMatch(/chain sbx_\d+/);
    });
  });
}

describe.skipIf(!bwrap?.capable)("bwrap egress particulars", () => {
  it("does not filter the runner's own work on the host as the sandbox's uid (checkout talks to the control plane)", async () => {
    const s = await sandbox({ network: "allowlist", egressAllowlist: [] });
    const { uid, gid } = statSync(s.hostPaths.workspace);
    expect(uid).toBeGreaterThanOrEqual(200_000);
    const client = `exec 3<>/dev/tcp/${subnet}.1/${hostPort} && head -1 <&3`;
    // Not spawnSync: the server answering is in this process.
    const { stdout } = await promisify(execFile)("/bin/bash", ["-c", client], { uid, gid, cwd: "/", encoding: "utf8", timeout: 10_000 });
    expect(stdout).toContain("reached the runner host");
  });

  it("each exec's user-mode stack goes with the sandbox", async () => {
    const open = await sandbox({ network: "open" });
    await reach(open, [`${subnet}.2:${PORT}`]);
    await Promise.all(opened.splice(0).map((sandbox) => sandbox.destroy()));
    expect(spawnSync("pgrep", ["-x", "slirp4netns"]).status).toBe(1);
  });
});

describe("egress policy per job", () => {
  it("untrusted code never gets open egress; an allowlist applies as the pool wrote it", () => {
    expect(jobEgress("open", true)).toBe("none");
    expect(jobEgress("open", false)).toBe("open");
    expect(jobEgress("allowlist", true)).toBe("allowlist");
    expect(jobEgress("none", false)).toBe("none");
  });

  it("a provider that cannot enforce an allowlist refuses it", async () => {
    await expect(new ProcessProvider({ devMode: true, allowUntrusted: true }).prepare({ untrusted: false, network: "allowlist", egressAllowlist: ["github.com"] })).rejects.toThrow(/cannot enforce an egress allowlist/);
  });
});
