// The runner's real executor on real providers: the job's wall time from timeout-minutes, a lost lease (kill)
// destroying a running sandbox at once, a cancel letting always() steps run, and process refusing untrusted runs.
import { afterAll, describe, expect, it } from "vitest";
import { BwrapProvider } from "../src/sandbox/bwrap-provider";
import { warmQuotaVolumes } from "../src/sandbox/warm-volumes";
import { ProcessProvider } from "../src/sandbox/process-provider";
import type { SandboxProvider } from "../src/sandbox/types";
import { sandboxExecutor, type JobReporter } from "../src/sandbox-executor";
import { until } from "./execution/helpers";
import { assignment, onlyHost, recorder } from "./executor-fixtures";

const bwrap = new BwrapProvider();
// Jobs get quota volumes made ahead; a test worker may be killed rather than exit, so they go here.
afterAll(() => warmQuotaVolumes.close());
const probe = await bwrap.probe();
if (!probe.available) console.warn(`sandbox executor bwrap tests skipped: ${probe.detail}`);

const executor = (provider: SandboxProvider, reporter: JobReporter) => sandboxExecutor({ provider, host: onlyHost(provider), egress: "none", reporter: () => reporter, log: () => undefined });
const never = () => new AbortController().signal;

describe.skipIf(!probe.available)("the sandbox executor on bwrap", () => {
  it("fails a job that runs past its timeout-minutes", { timeout: 20_000 }, async () => {
    const { reporter, finished } = recorder();
    const outcome = await executor(bwrap, reporter)(assignment([{ run: "sleep 30" }], { timeoutMinutes: 0.02 }), never(), never());
    expect(outcome).toMatchObject({ conclusion: "FAILED", failureReason: expect.stringContaining("the job ran past its time limit") });
    expect(outcome.failureReason).toMatch(/^killed: time limit 0\.02 minutes reached; /);
    expect(finished.map((s) => s.outcome)).toEqual(["failure"]);
  });

  it("destroys the sandbox at once when the lease is lost, and a cancel still runs always() steps", { timeout: 20_000 }, async () => {
    const lost = recorder();
    const kill = new AbortController();
    const cancel = new AbortController();
    const started = Date.now();
    const running = executor(bwrap, lost.reporter)(assignment([{ run: "echo started; sleep 30" }, { run: "echo cleanup", if: "always()" }]), cancel.signal, kill.signal).catch((error: unknown) => error);
    await until("the step to start", () => lost.text().includes("started\n"), 10_000);
    cancel.abort("lease lost");
    kill.abort("lease lost");
    await running;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(lost.text()).not.toContain("cleanup");

    const cancelled = recorder();
    const stop = new AbortController();
    const job = executor(bwrap, cancelled.reporter)(assignment([{ run: "echo started; sleep 30" }, { run: "echo cleanup", if: "always()" }, { run: "echo never" }]), stop.signal, never());
    await until("the step to start", () => cancelled.text().includes("started\n"), 10_000);
    stop.abort("the job was cancelled");
    expect(await job).toMatchObject({ conclusion: "CANCELED" });
    expect(cancelled.finished.map((s) => s.outcome)).toEqual(["cancelled", "success", "skipped"]);
    expect(cancelled.text()).toContain("cleanup\n");
  });
});

describe("the sandbox executor on the process provider", () => {
  it("refuses an untrusted run (no isolation) and runs a trusted one", async () => {
    const process = new ProcessProvider({ devMode: true });
    const refused = recorder();
    expect(await executor(process, refused.reporter)(assignment([{ run: "echo hi" }], { trusted: false }), never(), never())).toEqual({
      conclusion: "FAILED",
      outputs: {},
      failureReason: "this runner cannot run untrusted code: it offers no isolating sandbox provider (microvm, gvisor or bwrap) that gives the job egress none; it offers: process",
    });
    expect(refused.chunks).toEqual([]);
    const trusted = recorder();
    expect(await executor(process, trusted.reporter)(assignment([{ run: "echo hi" }]), never(), never())).toMatchObject({ conclusion: "SUCCEEDED" });
    expect(trusted.text()).toContain("hi\n");
  });
});
