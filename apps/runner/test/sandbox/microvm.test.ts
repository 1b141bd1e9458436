// Real QEMU microvms (TCG when /dev/kvm is not usable: about 4 s per exec). The first run builds the guest
// image from Debian packages into ~/.gantry/microvm (a minute or so). Each test would fail if the isolation
// or plumbing it names were missing.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MicrovmProvider } from "../../src/sandbox/microvm-provider";
import { collect } from "../execution/helpers";
import { describeIsolation, sandboxHarness } from "./isolation-suite";

const provider = new MicrovmProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`microvm tests skipped: ${probe.detail}`);
else console.info(`microvm: ${probe.detail}`);

const BOOTS = 60_000;
const { sandbox, run } = sandboxHarness(provider);

describe.skipIf(!probe.available)("microvm sandbox (slow)", () => {
  // The first prepare may build the guest image.
  beforeAll(async () => {
    await sandbox();
  }, 20 * 60_000);

  it("slow: runs a command in a VM as an unprivileged user, streams its output and returns its exit code", async () => {
    const s = await sandbox();
    const r = await run(s, 'echo "user=$(id -u) kernel=$(uname -r) host=$(hostname)"; echo to-stderr >&2; echo "token=$TOKEN"; exit 7', { TOKEN: "abc" });
    expect(r.text).toContain("user=1001");
    expect(r.text).toMatch(/kernel=\S+-cloud-amd64/);
    expect(r.text).toContain("host=gantry");
    expect(r.text).toContain("to-stderr");
    expect(r.text).toContain("token=abc");
    expect(r.exitCode).toBe(7);
    expect(r.timedOut).toBe(false);
  }, BOOTS);

  it("slow: shares the workspace both ways and keeps it across execs, while the root filesystem stays read-only", async () => {
    const s = await sandbox();
    writeFileSync(path.join(s.hostPaths.workspace, "from-host.txt"), "host wrote this\n");
    const first = await run(s, "cat from-host.txt; echo guest > from-guest.txt; touch /usr/x /etc/x 2>/dev/null && echo wrote-root; echo t > /tmp/t; true");
    expect(first.exitCode).toBe(0);
    expect(first.text).toContain("host wrote this");
    expect(first.text).not.toContain("wrote-root");
    expect(readFileSync(path.join(s.hostPaths.workspace, "from-guest.txt"), "utf8")).toBe("guest\n");
    expect(readFileSync(path.join(s.hostPaths.temp, "t"), "utf8")).toBe("t\n");
    const second = await run(s, "cat from-guest.txt && git --version");
    expect(second.text).toContain("guest");
    expect(second.text).toMatch(/git version/);
  }, 2 * BOOTS);

  it("slow: reports a failing command's exit code and a missing command's 127", async () => {
    const s = await sandbox();
    expect((await run(s, "false")).exitCode).toBe(1);
    const missing = s.exec({ argv: ["no-such-command"], env: s.baseEnv, cwd: s.paths.workspace });
    await collect(missing.output);
    expect((await missing.wait()).exitCode).toBe(127);
  }, 2 * BOOTS);

  it("slow: has no network device with egress none, and its own loopback works (open and allowlist: egress.test.ts)", async () => {
    const server = net.createServer((socket) => socket.end("hello from host\n"));
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const loopback = "perl -MIO::Socket::INET -e '$l = IO::Socket::INET->new(Listen => 1, LocalAddr => \"127.0.0.1:7777\") or die; if (fork) { $c = $l->accept; print $c->getline } else { IO::Socket::INET->new(\"127.0.0.1:7777\")->print(\"loopback ok\\n\") }'";
      const r = await run(await sandbox({ network: "none" }), `ls /sys/class/net; ${loopback}; exec 3<>/dev/tcp/10.0.2.2/${port} && head -1 <&3 || echo refused`);
      expect(r.text.split("\n")[0]).toBe("lo");
      expect(r.text).toContain("loopback ok");
      expect(r.text).not.toContain("hello from host");
      expect(r.text).toContain("refused");
    } finally {
      server.close();
    }
  }, BOOTS);

  it("slow: kills the VM at the wall time", async () => {
    const s = await sandbox({ limits: { wallTimeMs: 15_000 } });
    const started = Date.now();
    const r = await run(s, "echo begin; sleep 120; echo never");
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.text).not.toContain("never");
    expect(Date.now() - started).toBeLessThan(25_000);
  }, BOOTS);

  it("slow: destroy stops a running VM and removes the disk and every directory", async () => {
    const s = await sandbox();
    const child = s.exec({ argv: ["/bin/bash", "-c", "echo ready; sleep 300"], env: s.baseEnv, cwd: s.paths.workspace });
    const iterator = child.output[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(String(first.value)).toContain("ready");
    const root = path.dirname(path.dirname(s.hostPaths.workspace));
    expect(existsSync(path.join(root, "disk.img"))).toBe(true);
    await s.destroy();
    const result = await child.wait();
    expect(result.stopped).toBe(true);
    expect(existsSync(root)).toBe(false);
    expect(readFileSync("/proc/mounts", "utf8")).not.toContain(root);
  }, BOOTS);
});

// The hostile-job suite bwrap and gvisor pass, on a VM: its own kernel, its own (unreadable) /etc/shadow.
describeIsolation("microvm", provider, probe.available, { slow: true, shadowRefusal: /Permission denied/, ownKernel: true });
