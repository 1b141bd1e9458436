// The sandbox executor's part in remote actions: every sandbox is asked for the npm Node runtimes and the tool cache
// (writable for this trusted job, created when missing), and a claimed job's remote action runs through the
// protocol client against a server playing the control plane's resolve route.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { protocolActions } from "../src/protocol-actions";
import { ProtocolClient } from "../src/protocol-client";
import { ProcessProvider } from "../src/sandbox/process-provider";
import type { SandboxProvider, SandboxSpec } from "../src/sandbox/types";
import { sandboxExecutor } from "../src/sandbox-executor";
import { ActionServer } from "./execution/action-server";
import { assignment, onlyHost, recorder } from "./executor-fixtures";

const root = mkdtempSync(path.join(os.tmpdir(), "gantry-executor-actions-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const never = () => new AbortController().signal;

/** The process provider, remembering each spec it was asked for. */
function recording(): { provider: SandboxProvider; specs: SandboxSpec[] } {
  const inner = new ProcessProvider({ devMode: true });
  const specs: SandboxSpec[] = [];
  return { specs, provider: { name: "process", probe: () => inner.probe(), prepare: (spec) => (specs.push(spec), inner.prepare(spec)) } };
}

describe("the sandbox executor with remote actions", () => {
  it("hands each sandbox the Node runtimes and the tool cache, and runs actions/github-script through the resolve route", async () => {
    const claim = assignment([]);
    claim.job.steps = [
      { index: 0, id: "x", if: "success()", uses: "actions/github-script@v8.0.0", with: { script: "return process.env.RUNNER_TOOL_CACHE", "github-token": "t" }, env: {}, continueOnError: false },
      { index: 1, if: "success()", run: "echo got=${{ steps.x.outputs.result }}", env: {}, with: {}, continueOnError: false },
    ];
    const server = new ActionServer(claim.jobToken);
    await server.start();
    try {
      const { provider, specs } = recording();
      const { reporter, text } = recorder();
      const stateDir = path.join(root, "state");
      const toolCache = path.join(root, "tools");
      const client = new ProtocolClient(server.url);
      const execute = sandboxExecutor({ provider, host: onlyHost(provider), egress: "none", reporter: () => reporter, log: () => undefined, stateDir, toolCache, actions: (a, kill) => protocolActions(client, a, { kill, log: () => undefined }) });
      const outcome = await execute(claim, never(), never());
      expect(outcome, text()).toMatchObject({ conclusion: "SUCCEEDED" });
      expect(text()).toContain(`got="${toolCache}"`);
      // Made sticky and open to all (as /tmp): trusted jobs of every sandbox uid add versions, none removes another's.
      expect(statSync(toolCache).mode & 0o7777).toBe(0o1777);
      expect(existsSync(path.join(stateDir, "actions"))).toBe(true);
      expect(specs[0]?.tools?.toolCache).toEqual({ host: toolCache, writable: true });
      for (const major of ["20", "24"]) expect(existsSync(path.join(specs[0]?.tools?.node?.[major] ?? "", "bin", "node"))).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
