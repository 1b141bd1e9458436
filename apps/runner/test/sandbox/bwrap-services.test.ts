// The service proxy and the toolchain mounts in real bubblewrap sandboxes (service-suite.ts), and what is
// particular to bwrap: it resolves bind sources as the sandbox's own uid, so an unreachable folder is refused at prepare.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BwrapProvider } from "../../src/sandbox/bwrap-provider";
import { describeServices } from "./service-suite";

const provider = new BwrapProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`bwrap service tests skipped: ${probe.detail}`);

describeServices("bwrap", provider, probe.available, { egress: probe.egress ?? [] });

describe.skipIf(!probe.available || process.getuid?.() !== 0)("bwrap toolchain folders (root runner, a uid per sandbox)", () => {
  it("refuses at prepare a tool cache its uid cannot reach or write, naming the folder", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-private-"));
    try {
      chmodSync(dir, 0o700);
      const hidden = path.join(dir, "tool-cache");
      mkdirSync(hidden, { mode: 0o755 });
      await expect(provider.prepare({ untrusted: true, tools: { toolCache: { host: hidden, writable: false } } })).rejects.toThrow(`${dir} does not let others through (o+x)`);
      chmodSync(dir, 0o711);
      await expect(provider.prepare({ untrusted: false, tools: { toolCache: { host: hidden, writable: true } } })).rejects.toThrow("is not writable by others");
      const s = await provider.prepare({ untrusted: true, tools: { toolCache: { host: hidden, writable: false } } });
      await s.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
