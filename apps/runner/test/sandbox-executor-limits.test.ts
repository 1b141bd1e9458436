// The pool's limits reach every real job (issue #13): through the runner's executor on bwrap, a memory bomb, a
// fork bomb, a file past the file-size limit and a disk filled past its quota are each stopped by the limits the
// assignment carries, the job fails with the limit named in its log and failure reason, and the next job on the
// same executor runs as usual. Small limits keep it fast.
import type { PoolLimits } from "@gantry/runner-protocol";
import { afterAll, describe, expect, it } from "vitest";
import { BwrapProvider } from "../src/sandbox/bwrap-provider";
import { warmQuotaVolumes } from "../src/sandbox/warm-volumes";
import { sandboxExecutor } from "../src/sandbox-executor";
import { assignment, onlyHost, recorder } from "./executor-fixtures";

const bwrap = new BwrapProvider();
// Jobs get quota volumes made ahead; a test worker may be killed rather than exit, so they go here.
afterAll(() => warmQuotaVolumes.close());
const probe = await bwrap.probe();
if (!probe.available) console.warn(`sandbox executor limit tests skipped: ${probe.detail}`);
const root = process.getuid?.() === 0;

const MiB = 1024 ** 2;
const SMALL: Partial<PoolLimits> = { cpus: 1, memoryBytes: 64 * MiB, pids: 64, diskBytes: 32 * MiB, fileSizeBytes: 4 * MiB };
const never = () => new AbortController().signal;

/** One executor for every job of the file, as an agent slot has: a job after a limit hit must still run. */
const logs: string[] = [];
let current = recorder();
const execute = sandboxExecutor({ provider: bwrap, host: onlyHost(bwrap), egress: "none", reporter: () => current.reporter, log: (line) => void logs.push(line) });

async function runJob(run: string, limits: Partial<PoolLimits> = SMALL) {
  current = recorder();
  const outcome = await execute(assignment([{ run, name: "hostile" }], { limits }), never(), never());
  return { outcome, log: current.text(), steps: current.finished };
}

describe.skipIf(!probe.available)("the pool's limits on bwrap, through the executor", () => {
  it("kills a memory bomb at the memory limit and says so", { timeout: 30_000 }, async () => {
    const { outcome, log } = await runJob(`perl -e '$x = "a" x (512 * 1024 * 1024); print "allocated\\n"'`);
    expect(log).not.toMatch(/^allocated$/m);
    expect(outcome).toMatchObject({ conclusion: "FAILED", failureReason: expect.stringMatching(/^killed: memory limit 64 MiB reached; step "hostile" failed/) });
    expect(log).toContain("##[error]killed: memory limit 64 MiB reached\n");
  });

  it("contains a fork bomb to the pids limit and fails the job naming it, even though the bomb's parent exits 0", { timeout: 30_000 }, async () => {
    const { outcome, log } = await runJob(`perl -e 'my $n = 0; for (1..500) { my $p = fork(); last unless defined $p; if ($p == 0) { sleep 30; exit 0 } $n++ } print "forked=$n\\n"'`);
    const forked = Number(/forked=(\d+)/.exec(log)?.[1] ?? "NaN");
    expect(forked).toBeGreaterThan(0);
    expect(forked).toBeLessThan(64);
    expect(outcome).toMatchObject({ conclusion: "FAILED", failureReason: "process limit 64 reached: new processes were refused" });
    expect(log).toContain("##[error]process limit 64 reached: new processes were refused\n");
  });

  it("stops a file at the file-size limit with SIGXFSZ and says so", { timeout: 30_000 }, async () => {
    const { outcome, log } = await runJob("head -c 20000000 /dev/zero > big");
    expect(outcome).toMatchObject({ conclusion: "FAILED", failureReason: expect.stringMatching(/^killed: file size limit 4 MiB reached \(SIGXFSZ\); step "hostile" failed/) });
    expect(log).toContain("##[error]killed: file size limit 4 MiB reached (SIGXFSZ)\n");
  });

  it.skipIf(!root)("stops the workspace at the disk limit and says so", { timeout: 30_000 }, async () => {
    // Files may be as large as the disk, so it is the volume that fills, not a file that grows too big.
    const { outcome, log } = await runJob("head -c 100000000 /dev/zero > a", { ...SMALL, fileSizeBytes: 64 * MiB });
    expect(log).toMatch(/No space left on device/);
    expect(outcome).toMatchObject({ conclusion: "FAILED", failureReason: expect.stringMatching(/^disk limit 32 MiB reached: the workspace volume is full; step "hostile" failed/) });
  });

  it("runs the next job on the same executor as usual, under every limit", { timeout: 30_000 }, async () => {
    const { outcome, log } = await runJob("echo fine; ulimit -f; cat /proc/self/status | grep -c ^Pid");
    expect(outcome).toEqual({ conclusion: "SUCCEEDED", outputs: {} });
    expect(log).toContain("fine\n");
    // 4 MiB in bash's 1 KiB blocks: the file-size limit reached the job's own processes.
    expect(log).toContain("4096\n");
    expect(logs.filter((line) => line.includes("runs without"))).toEqual(root ? [] : [expect.stringContaining("disk")]);
  });
});
