// Real bubblewrap sandboxes: the hostile-job suite every isolating provider passes (isolation-suite.ts), and
// what is particular to bwrap. Egress open and allowlist: bwrap-egress.test.ts.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BwrapProvider } from "../../src/sandbox/bwrap-provider";
import { until } from "../execution/helpers";
import { describeIsolation, sandboxHarness } from "./isolation-suite";

const provider = new BwrapProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`bwrap tests skipped: ${probe.detail}`);

describeIsolation("bwrap", provider, probe.available);

describe.skipIf(!probe.available)("bwrap particulars", () => {
  const { sandbox, run } = sandboxHarness(provider);

  it("runs the job as uid 1001 inside, and its daemons leave no host process behind", async () => {
    const s = await sandbox();
    const marker = String(900_000 + Math.floor(Math.random() * 99_999));
    const r = await run(s, `echo uid=$(id -u); setsid nohup sleep ${marker} >/dev/null 2>&1 & echo started`);
    expect(r.text).toContain("uid=1001");
    expect(r.text).toContain("started");
    // Job processes are host processes under bwrap: the daemon must be gone from the host's /proc.
    const alive = () => readdirSync("/proc").filter((p) => /^\d+$/.test(p)).some((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`sleep\0${marker}`);
      } catch {
        return false;
      }
    });
    await until("the daemon to die", () => !alive(), 5000);
  });
});
