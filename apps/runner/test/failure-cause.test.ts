// The runner tells the platform's failures from the job's where they are raised: a sandbox that cannot start (here
// a real misconfiguration: the tool cache set to a path under a regular file) and a control plane that stays
// unreachable for the step reports are InfrastructureErrors; a refused job and a failing step are the job's.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InfrastructureError } from "../src/infrastructure-error";
import { ProtocolClient } from "../src/protocol-client";
import { protocolReporter } from "../src/protocol-reporter";
import { kvmInternalError } from "../src/sandbox/microvm-accel";
import { ProcessProvider } from "../src/sandbox/process-provider";
import { sandboxExecutor } from "../src/sandbox-executor";
import { assignment, onlyHost, recorder } from "./executor-fixtures";

const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-cause-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const never = () => new AbortController().signal;
const provider = new ProcessProvider({ devMode: true });

describe("failure causes on the runner", () => {
  it("a sandbox that cannot start is an InfrastructureError; a failing step is the job's", async () => {
    const file = path.join(dir, "not-a-folder");
    writeFileSync(file, "");
    const { reporter } = recorder();
    const broken = sandboxExecutor({ provider, host: onlyHost(provider), egress: "none", reporter: () => reporter, log: () => undefined, toolCache: path.join(file, "tool-cache") });
    const error = await broken(assignment([{ run: "echo hi" }]), never(), never()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(String(error)).toMatch(/the process sandbox did not start: .*ENOTDIR/);

    const healthy = sandboxExecutor({ provider, host: onlyHost(provider), egress: "none", reporter: () => reporter, log: () => undefined, toolCache: path.join(dir, "tool-cache") });
    const failed = await healthy(assignment([{ run: "exit 3" }]), never(), never());
    expect(failed).toMatchObject({ conclusion: "FAILED" });
    expect(failed.failureCause).toBeUndefined();
  });

  it("a control plane unreachable for a step report past the retries is an InfrastructureError", async () => {
    // Nothing listens on port 1: every call fails as a network error (retryable) until the retry window closes.
    const client = new ProtocolClient("http://127.0.0.1:1");
    const reporter = protocolReporter(client, assignment([{ run: "true" }]), { kill: never(), log: () => undefined, retryForMs: 300 });
    const error = await reporter.stepStarted({ index: 0, name: "one", startedAt: Date.now() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(String(error)).toContain("the control plane was unreachable for step 0 start");
  });

  it("QEMU's report of a VM that KVM stopped is recognised (the microvm then fails the step as the sandbox's death)", () => {
    // As QEMU 7.2 printed it in a CI run on this nested host: the VM stays paused and QEMU keeps running.
    const output = "KVM internal error. Suberror: 1\nextra data[0]: 0x0000000000000001\nemulation failure\nRAX=ffff8d8580041040 RBX=0000000000000000\n";
    expect(kvmInternalError(output)).toBe("KVM internal error. Suberror: 1");
    expect(kvmInternalError("Linux version 6.1.0-57-cloud-amd64\n::gantry-exit:: 0\n")).toBeUndefined();
  });
});
