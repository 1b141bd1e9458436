// Untrusted jobs (a fork's pull request) run in the strongest isolating provider this host offers, whatever the
// pool's default provider is; on a host with no isolating provider they do not run at all (issue #13 item 7).
import type { Assignment } from "@gantry/runner-protocol";
import { describe, expect, it } from "vitest";
import { probeProviders } from "../src/probe-providers";
import { ProcessProvider } from "../src/sandbox/process-provider";
import type { NetworkPolicy, ProbeResult, ProviderName, SandboxProvider, SandboxSpec } from "../src/sandbox/types";
import { sandboxExecutor } from "../src/sandbox-executor";
import { assignment as fixture } from "./executor-fixtures";

/** A provider that says it is `name` and runs jobs as plain processes, recording every sandbox it prepares. */
class StandIn implements SandboxProvider {
  readonly prepared: SandboxSpec[] = [];
  private readonly runs = new ProcessProvider({ devMode: true, allowUntrusted: true });

  constructor(
    readonly name: ProviderName,
    private readonly egress: NetworkPolicy[] = ["none"],
  ) {}

  async probe(): Promise<ProbeResult> {
    return { available: true, detail: `${this.name} stand-in`, egress: this.egress };
  }

  prepare(spec: SandboxSpec) {
    this.prepared.push(spec);
    // The stand-in records the egress asked for; the process it runs needs no network.
    return this.runs.prepare({ ...spec, network: "none" });
  }
}

/** A one-step job of a pull request; `trusted` false is a fork's. */
const assignment = (trusted: boolean): Assignment => ({ ...fixture([{ run: "echo hi" }], { trusted }), run: { ...fixture([]).run, event: "pull_request", ref: "refs/pull/7/merge", actor: "fork", trusted } });

const never = () => new AbortController().signal;
const reporter = { appendLogs: async () => undefined, stepStarted: async () => undefined, stepFinished: async () => undefined };

async function executorOn(pool: SandboxProvider, host: SandboxProvider[], egress: NetworkPolicy = "none") {
  const lines: string[] = [];
  const execute = sandboxExecutor({ provider: pool, host: await probeProviders(host), egress, reporter: () => reporter, log: (line) => lines.push(line) });
  return { execute, lines };
}

describe("the provider of an untrusted job", () => {
  it("is gvisor in a bwrap pool on a host that also offers gvisor; a trusted job stays on bwrap", async () => {
    const bwrap = new StandIn("bwrap");
    const gvisor = new StandIn("gvisor");
    const { execute, lines } = await executorOn(bwrap, [gvisor, bwrap]);
    expect(await execute(assignment(false), never(), never())).toMatchObject({ conclusion: "SUCCEEDED" });
    expect([gvisor.prepared.length, bwrap.prepared.length]).toEqual([1, 0]);
    expect(gvisor.prepared[0]?.untrusted).toBe(true);
    expect(lines.join("\n")).toContain("untrusted job build runs in gvisor");

    expect(await execute(assignment(true), never(), never())).toMatchObject({ conclusion: "SUCCEEDED" });
    expect([gvisor.prepared.length, bwrap.prepared.length]).toEqual([1, 1]);
  });

  it("prefers microvm over gvisor over bwrap, skipping one that cannot give the job its egress", async () => {
    const bwrap = new StandIn("bwrap", ["none", "allowlist"]);
    const gvisor = new StandIn("gvisor", ["none", "allowlist"]);
    const microvm = new StandIn("microvm", ["none"]);
    const { execute } = await executorOn(bwrap, [microvm, gvisor, bwrap], "allowlist");
    expect(await execute(assignment(false), never(), never())).toMatchObject({ conclusion: "SUCCEEDED" });
    expect([microvm.prepared.length, gvisor.prepared.length, bwrap.prepared.length]).toEqual([0, 1, 0]);
    const open = await executorOn(bwrap, [microvm, gvisor, bwrap], "open");
    // An untrusted job never gets `open` egress: it runs with none, which microvm gives.
    expect(await open.execute(assignment(false), never(), never())).toMatchObject({ conclusion: "SUCCEEDED" });
    expect(microvm.prepared.map((spec) => spec.network)).toEqual(["none"]);
  });

  it("skips microvm for a job with remote actions (its guest gets no Node runtime): the next strongest runs it", async () => {
    const bwrap = new StandIn("bwrap");
    const gvisor = new StandIn("gvisor");
    const microvm = new StandIn("microvm");
    const { execute, lines } = await executorOn(bwrap, [microvm, gvisor, bwrap]);
    const withAction: Assignment = { ...assignment(false), job: { ...assignment(false).job, steps: [{ index: 0, if: "success()", uses: "actions/github-script@v8.0.0", with: { script: "return 1" }, env: {}, continueOnError: false }] } };
    // The stand-in has no resolver, so the step itself fails; what matters is where it ran.
    await execute(withAction, never(), never());
    expect([microvm.prepared.length, gvisor.prepared.length, bwrap.prepared.length]).toEqual([0, 1, 0]);
    expect(lines.join("\n")).toContain("that can run the job's remote actions");
    await execute(assignment(false), never(), never());
    expect(microvm.prepared.length).toBe(1);
  });

  it("is refused, with the reason, on a host that offers only the process provider", async () => {
    const process = new ProcessProvider({ devMode: true, allowUntrusted: true });
    const { execute } = await executorOn(process, [process]);
    expect(await execute(assignment(false), never(), never())).toEqual({
      conclusion: "FAILED",
      outputs: {},
      failureReason: "this runner cannot run untrusted code: it offers no isolating sandbox provider (microvm, gvisor or bwrap) that gives the job egress none; it offers: process",
    });
    expect(await execute(assignment(true), never(), never())).toMatchObject({ conclusion: "SUCCEEDED" });
  });
});
