// Real gVisor sandboxes (runsc, ptrace platform): the hostile-job suite every isolating provider passes, and
// what is particular to gVisor.
import { statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GvisorProvider } from "../../src/sandbox/gvisor-provider";
import { describeIsolation, sandboxHarness } from "./isolation-suite";

const provider = new GvisorProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`gvisor tests skipped: ${probe.detail}`);

describeIsolation("gvisor", provider, probe.available);

describe.skipIf(!probe.available)("gvisor particulars", () => {
  const { sandbox, run } = sandboxHarness(provider);

  it("runs the job under gVisor's own kernel, as the sandbox's uid named runner", async () => {
    const s = await sandbox();
    const r = await run(s, "dmesg 2>/dev/null | head -1; id -un; echo uid=$(id -u); echo made > mine");
    // gVisor's dmesg is its own boot log ("Starting gVisor..."), never the host's.
    expect(r.text).toMatch(/gVisor/);
    expect(r.text).toContain("runner\n");
    const uid = Number(/uid=(\d+)/.exec(r.text)?.[1]);
    expect(uid).toBeGreaterThanOrEqual(200_000);
    // The workspace file belongs to the same uid on the host, never root.
    expect(statSync(path.join(s.hostPaths.workspace, "mine")).uid).toBe(uid);
  });

  it("has working coreutils (statx with AT_NO_AUTOMOUNT, through the preloaded shim)", async () => {
    const s = await sandbox();
    const r = await run(s, "ls / | tr '\\n' ' '; echo; stat -c '%s' /etc/passwd && echo stat-ok; mkdir -p a/b && cp /etc/hostname a/b/ 2>/dev/null; ls -la a/b | wc -l");
    expect(r.text).not.toMatch(/Invalid argument/);
    expect(r.text).toMatch(/\busr\b/);
    expect(r.text).toContain("stat-ok");
  });

  it("streams large output in order without losing bytes", async () => {
    const s = await sandbox();
    const r = await run(s, "seq 1 200000");
    const lines = r.text.trim().split("\n");
    expect(lines.length).toBe(200_000);
    expect(lines[0]).toBe("1");
    expect(lines.at(-1)).toBe("200000");
  });

  it("runs two execs in one networked sandbox (runsc takes the namespace's address each time; it is put back)", async () => {
    const s = await sandbox({ network: "open" });
    for (let exec = 0; exec < 2; exec++) {
      const r = await run(s, "cat /proc/net/dev | grep -c tap0; ip -4 addr 2>/dev/null | grep -c 10.0.2.100 || cat /proc/net/route | grep -c tap0");
      expect(r.exitCode).toBe(0);
      expect(r.text).toMatch(/^1\n[1-9]/);
    }
  });
});
