// GitHub's own released actions, unmodified (../shared/actions), run end to end: a workflow compiled from YAML goes
// through the real worker, the real runner routes (resolve, the actions toolkit's cache service) and the real runner
// agent on bwrap. The actions come from GANTRY_ACTIONS_DIR; the runner's tool cache is pre-populated, so setup-node
// and setup-python find their versions without a download; setup-node's `cache: npm` saves in its post step on the
// first run and restores on the second through the @actions/cache it bundles.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "@gantry/db";
import { DirectoryObjectStore } from "@gantry/storage";
import { compileWorkflow } from "@gantry/workflow-schema";
import { readAttemptLog } from "../../apps/web/src/server/logs/read-attempt-log";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { startAgent, type AgentHandle } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { demo, startControlPlane, until, type ControlPlane } from "./control-plane";
import { cachedNodeVersion, cachedPythonVersion, populatedToolCache, SHARED_ACTIONS } from "./tool-cache-fixture";

const bwrap = await new BwrapProvider().probe();
if (!bwrap.available) console.warn(`real actions: skipping: ${bwrap.detail}`);
if (!existsSync(SHARED_ACTIONS)) throw new Error(`GitHub's released actions are missing at ${SHARED_ACTIONS} (../shared/actions beside the repository)`);
const nodeVersion = cachedNodeVersion;
const pythonVersion = cachedPythonVersion;

const TOOLCHAINS = `
name: Toolchains
on: push
jobs:
  node:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo '{"name":"demo","version":"1.0.0"}' > package.json
          echo '{"name":"demo","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"demo","version":"1.0.0"}}}' > package-lock.json
      - id: setup
        uses: actions/setup-node@v4.4.0
        with:
          node-version: ${nodeVersion}
          cache: npm
      - run: node --version
      - run: |
          cache="$(npm config get cache)"
          if [ -f "$cache/marker" ]; then echo "restored: $(cat "$cache/marker")"; fi
          mkdir -p "$cache" && echo "from run $GITHUB_RUN_NUMBER" > "$cache/marker"
    outputs:
      hit: \${{ steps.setup.outputs.cache-hit }}
  python:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5.6.0
        with:
          python-version: ${pythonVersion}
      - run: python --version
`;

describe.skipIf(!bwrap.available)("GitHub's released actions through the worker and a bwrap runner", () => {
  let cp: ControlPlane;
  let agent: AgentHandle | undefined;
  const lines: string[] = [];
  const toolCache = populatedToolCache();
  const state = mkdtempSync(path.join(os.tmpdir(), "gantry-runner-state-"));

  beforeAll(async () => {
    cp = await startControlPlane({ env: { GANTRY_LEASE_MS: "10000", GANTRY_HEARTBEAT_MS: "500", GANTRY_ACTIONS_DIR: SHARED_ACTIONS } });
    await cp.db.system("test").runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: "BWRAP" } });
    agent = startAgent(
      parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: cp.registrationToken, GANTRY_RUNNER_NAME: "real-actions", GANTRY_RUNNER_CAPACITY: "2", GANTRY_STATE_DIR: state, GANTRY_TOOL_CACHE: toolCache }),
      { log: (line) => lines.push(line) },
    );
  });
  afterAll(async () => {
    agent?.stop();
    await agent?.done.catch(() => undefined);
    await cp?.close();
    rmSync(toolCache, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  async function runWorkflow(source: string): Promise<string> {
    const { plan, errors } = compileWorkflow(source, ".gantry/workflows/ci.yml");
    if (!plan) throw new Error(JSON.stringify(errors));
    const runId = await cp.startRun(plan);
    await until(
      async () => (["SUCCEEDED", "FAILED", "CANCELED"].includes((await cp.db.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId } })).status) ? true : undefined),
      `the run to conclude\n${lines.join("\n")}`,
      180_000,
    );
    return runId;
  }

  async function jobLog(runId: string, key: string): Promise<string> {
    const job = await cp.db.system("test").jobRun.findFirstOrThrow({ where: { runId, key }, include: { attempts: true } });
    const log = await readAttemptLog(cp.db.forTenant(demo), new DirectoryObjectStore(cp.storage), job.attempts[0]?.id ?? "");
    return log.chunks.map((chunk) => chunk.text).join("");
  }

  async function jobs(runId: string) {
    return cp.db.system("test").jobRun.findMany({ where: { runId }, orderBy: { key: "asc" }, select: { key: true, status: true, failureReason: true, outputs: true } });
  }

  it("setup-node and setup-python find the tool cache; setup-node's npm cache saves on the first run and restores on the second", async () => {
    const first = await runWorkflow(TOOLCHAINS);
    const firstNode = await jobLog(first, "node");
    const firstPython = await jobLog(first, "python");
    expect((await jobs(first)).map((job) => [job.key, job.status]), `${firstNode}\n${firstPython}\n${lines.join("\n")}`).toEqual([
      ["node", "SUCCEEDED"],
      ["python", "SUCCEEDED"],
    ]);
    // Resolved from GANTRY_ACTIONS_DIR at the commit INDEX.tsv gives the tag, as GitHub's runner prints it.
    expect(firstNode).toContain("Download action repository 'actions/setup-node@v4.4.0' (SHA:49933ea5288caeca8642d1e84afbd3f7d6820020)");
    expect(firstNode).toContain(`Found in cache @ /opt/hostedtoolcache/node/${nodeVersion}/x64`);
    expect(firstNode).toContain(`v${nodeVersion}\n`);
    expect(firstNode).not.toMatch(/Attempting to download|Acquiring .* from/);
    expect(firstNode).toMatch(/Cache saved with the key: node-cache-Linux-x64-npm-[0-9a-f]{64}/);
    expect(firstPython).toContain(`Python ${pythonVersion}\n`);
    expect(firstPython).not.toContain("is available for downloading");
    // The step records the commit its action resolved to.
    const stepShas = await cp.db.system("test").stepRun.findMany({ where: { attempt: { job: { runId: first } }, actionSha: { not: null } }, select: { actionSha: true } });
    expect(stepShas.map((step) => step.actionSha).sort()).toEqual(["49933ea5288caeca8642d1e84afbd3f7d6820020", "a26af69be951a213d495a4c3e4e4022e16d87065"]);

    const second = await runWorkflow(TOOLCHAINS);
    const secondNode = await jobLog(second, "node");
    expect((await jobs(second)).find((job) => job.key === "node"), secondNode).toMatchObject({ status: "SUCCEEDED", outputs: { hit: "true" } });
    expect(secondNode).toContain("Cache restored from key");
    expect(secondNode).toContain("restored: from run");
    // The first run's outputs said it missed.
    expect((await jobs(first)).find((job) => job.key === "node")?.outputs).toEqual({ hit: "false" });
  });

  it("a ref that resolves nowhere fails its step naming the action and what was tried", async () => {
    const runId = await runWorkflow(`
name: Missing
on: push
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v0.0.0-nope
`);
    const [job] = await jobs(runId);
    const log = await jobLog(runId, "x");
    expect(job?.status, log).toBe("FAILED");
    expect(log).toMatch(/action "actions\/setup-node@v0\.0\.0-nope" could not be resolved/);
  });
});
