// Quota volumes made ahead (warm-volumes.ts): a miss starts making spares of that size, the next take gets one
// mounted and empty, another size replaces them, and clear() leaves nothing mounted.
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { quotaTools } from "../../src/sandbox/disk-quota";
import { WarmQuotaVolumes } from "../../src/sandbox/warm-volumes";

const MiB = 1024 ** 2;
const mounted = (dir: string) => readFileSync("/proc/mounts", "utf8").includes(` ${dir} `);

describe.skipIf(!quotaTools() || !existsSync("/dev/loop-control"))("warm quota volumes", () => {
  it("makes spares of the size asked for in the background and hands each out once", { timeout: 30_000 }, async () => {
    const warm = new WarmQuotaVolumes(2);
    try {
      expect(warm.take(32 * MiB)).toBeUndefined();
      await warm.ready();
      const first = warm.take(32 * MiB);
      const second = warm.take(32 * MiB);
      expect(first && second && first.root !== second.root).toBe(true);
      for (const spare of [first, second]) {
        if (!spare) throw new Error("no spare");
        expect(mounted(spare.volume.dir)).toBe(true);
        expect(readdirSync(spare.volume.dir).sort()).toEqual(["home", "lost+found", "runner", "tmp", "workspace"]);
        expect(spare.volume.full()).toBe(false);
        // What the sandbox that takes one does when it is destroyed.
        spare.volume.unmount();
        rmSync(spare.root, { recursive: true });
      }
      await warm.ready();
      // Another size: the old spares go, spares of the new one come.
      expect(warm.take(48 * MiB)).toBeUndefined();
      await warm.ready();
      const other = warm.take(48 * MiB);
      expect(other?.bytes).toBe(48 * MiB);
      other?.volume.unmount();
      if (other) rmSync(other.root, { recursive: true });
      await warm.ready();
    } finally {
      warm.clear();
    }
    expect(readFileSync("/proc/mounts", "utf8")).not.toMatch(new RegExp(`gantry-sbx-spare-${process.pid}-`));
    expect(readdirSync(os.tmpdir()).filter((name) => name.startsWith(`gantry-sbx-spare-${process.pid}-`))).toEqual([]);
  });
});
