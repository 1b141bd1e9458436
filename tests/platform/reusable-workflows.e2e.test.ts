// Local reusable workflows end to end: act's own test of them (its `uses-workflow/local-workflow.yml` and the
// workflows it calls, read from the shared corpus) compiled the way intake compiles, then run through the real
// worker, runner routes and runner agent in bwrap sandboxes: typed inputs and their defaults, a `secrets:` map and
// `secrets: inherit`, a call's outputs reaching the job that needs it. Then calls that fail, are skipped, nest, and
// are cancelled while their jobs run.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, secretStore } from "@gantry/db";
import { compileWorkflowWithCalls } from "@gantry/workflow-schema";
import { readAttemptLog } from "../../apps/web/src/server/logs/read-attempt-log";
import { DirectoryObjectStore } from "@gantry/storage";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { startAgent, type AgentHandle } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { cancelJob } from "@gantry/engine";
import { demo, startControlPlane, until, type ControlPlane } from "./control-plane";

const ACT_TESTDATA = path.resolve(import.meta.dirname, "../../../shared/corpus/act/pkg/runner/testdata");
const masterKey = randomBytes(32);
let cp: ControlPlane;
let agent: AgentHandle | undefined;
const lines: string[] = [];

beforeAll(async () => {
  cp = await startControlPlane({ env: { GANTRY_LEASE_MS: "10000", GANTRY_HEARTBEAT_MS: "500", GANTRY_MASTER_KEY: masterKey.toString("base64") } });
  await cp.db.system("test").runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: "BWRAP" } });
  // What `secrets: inherit` hands the called workflow: the repository's own secret of that name.
  await secretStore(cp.db.forTenant(demo), demo, masterKey).put(`repo:${DEMO.repositoryId}`, "secret", "keep_it_private");
  agent = startAgent(parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: cp.registrationToken, GANTRY_RUNNER_NAME: "calls", GANTRY_RUNNER_CAPACITY: "2" }), { log: (line) => lines.push(line) });
});
afterAll(async () => {
  agent?.stop();
  await agent?.done.catch(() => undefined);
  await cp?.close();
});

/** Compiles `file` as intake does, reading what it calls from `files` (a repository at one commit), and starts it. */
async function startWorkflow(source: string, file: string, files: (repoPath: string) => string | undefined): Promise<string> {
  const { plan, errors } = await compileWorkflowWithCalls(source, file, {}, async (repoPath) => files(repoPath));
  if (!plan) throw new Error(JSON.stringify(errors));
  return cp.startRun(plan);
}

async function concluded(runId: string): Promise<string> {
  const terminal = ["SUCCEEDED", "FAILED", "CANCELED"];
  return until(
    `the run to conclude\n${lines.join("\n")}`,
    async () => {
      const run = await cp.db.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId } });
      return terminal.includes(run.status) ? run.status : undefined;
    },
    180_000,
);
}

const jobsOf = (runId: string) => cp.db.system("test").jobRun.findMany({ where: { runId }, orderBy: { key: "asc" }, include: { attempts: true } });

async function jobLog(runId: string, key: string): Promise<string> {
  const job = await cp.db.system("test").jobRun.findFirstOrThrow({ where: { runId, key }, include: { attempts: true } });
  const log = await readAttemptLog(cp.db.forTenant(demo), new DirectoryObjectStore(cp.storage), job.attempts[0]?.id ?? "");
  return log.chunks.map((chunk) => chunk.text).join("");
}

const bwrap = await new BwrapProvider().probe();
if (!bwrap.available) console.warn(`reusable-workflows: skipping: ${bwrap.detail}`);

describe.skipIf(!bwrap.available)("local reusable workflows through the runner", () => {
  it("runs act's local reusable workflow test: inputs, a secrets map, inherited secrets and the call's outputs", async () => {
    // GitHub (like actionlint, and Gantry) refuses a secret the called workflow does not declare; act does not
    // check, and its called workflow reads `secrets.secret` without declaring it: declared here, as GitHub needs.
    const declareSecret = (text: string) => text.replace("\non:\n  workflow_call:\n", "\non:\n  workflow_call:\n    secrets:\n      secret:\n        required: false\n");
    const actFile = (repoPath: string) => {
      const full = path.join(ACT_TESTDATA, repoPath);
      const text = existsSync(full) ? readFileSync(full, "utf8") : undefined;
      return text !== undefined && repoPath.endsWith("/local-reusable-workflow.yml") ? declareSecret(text) : text;
    };
    const caller = actFile("uses-workflow/local-workflow.yml");
    if (!caller) throw new Error(`act's test data is missing: ${ACT_TESTDATA}`);
    const runId = await startWorkflow(caller, "uses-workflow/local-workflow.yml", actFile);
    const status = await concluded(runId);
    const jobs = await jobsOf(runId);
    expect(jobs.map((job) => [job.key, job.status, job.attempts.length]), lines.join("\n")).toEqual([
      ["output-test", "SUCCEEDED", 1],
      ["reusable-workflow", "SUCCEEDED", 0],
      ["reusable-workflow / reusable_workflow_job", "SUCCEEDED", 1],
      ["reusable-workflow-with-inherited-secrets", "SUCCEEDED", 0],
      ["reusable-workflow-with-inherited-secrets / reusable_workflow_job", "SUCCEEDED", 1],
      ["reusable-workflow-with-on-array-notation", "SUCCEEDED", 0],
      ["reusable-workflow-with-on-array-notation / reusable_workflow_job", "SUCCEEDED", 1],
      ["reusable-workflow-with-on-string-notation", "SUCCEEDED", 0],
      ["reusable-workflow-with-on-string-notation / reusable_workflow_job", "SUCCEEDED", 1],
    ]);
    expect(status).toBe("SUCCEEDED");
    const call = jobs.find((job) => job.key === "reusable-workflow");
    expect(call?.outputs).toEqual({ output: "string" });
    expect(jobs.find((job) => job.key === "reusable-workflow / reusable_workflow_job")?.inputs).toEqual({
      string_required: "string",
      string_optional: "string",
      bool_required: true,
      bool_optional: true,
      number_required: 1,
      number_optional: 1,
    });
    const called = await jobLog(runId, "reusable-workflow / reusable_workflow_job");
    expect(called).toContain("inputs.number_optional=1");
    // The value the map passed is a secret of the called job: masked like any other.
    expect(called).toContain("secrets.secret=***");
    expect(called).not.toContain("keep_it_private");
    expect(await jobLog(runId, "reusable-workflow-with-inherited-secrets / reusable_workflow_job")).toContain("secrets.secret=***");
    expect(await jobLog(runId, "output-test")).toContain("reusable-workflow-with-inherited-secrets.output=string");
  });

  it("a failed call fails its caller and skips what needs it; a call whose if is false adds nothing; calls nest", async () => {
    const files: Record<string, string> = {
      "lib/fail.yml": "on: workflow_call\njobs:\n  boom:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exit 3\n",
      "lib/middle.yml": [
        "on:",
        "  workflow_call:",
        "    inputs:",
        "      word: {type: string, required: true}",
        "    outputs:",
        "      echoed:",
        "        value: ${{ jobs.inner.outputs.said }}",
        "env:",
        "  LEVEL: middle",
        "jobs:",
        "  inner:",
        "    uses: ./lib/leaf.yml",
        "    with:",
        "      word: ${{ inputs.word }}-${{ github.event_name }}",
        "",
      ].join("\n"),
      "lib/leaf.yml": [
        "on:",
        "  workflow_call:",
        "    inputs:",
        "      word: {type: string, required: true}",
        "    outputs:",
        "      said:",
        "        value: ${{ jobs.say.outputs.said }}",
        "jobs:",
        "  say:",
        "    runs-on: ubuntu-latest",
        "    outputs:",
        "      said: ${{ steps.s.outputs.said }}",
        "    steps:",
        "      - id: s",
        '        run: echo "said=leaf got ${{ inputs.word }} (LEVEL=${LEVEL:-unset})" >> "$GITHUB_OUTPUT"',
        "",
      ].join("\n"),
    };
    const caller = [
      "on: push",
      "env:",
      "  LEVEL: top",
      "jobs:",
      "  fails:",
      "    uses: ./lib/fail.yml",
      "  after-fail:",
      "    needs: fails",
      "    runs-on: ubuntu-latest",
      "    steps: [{run: echo never}]",
      "  not-called:",
      "    if: false",
      "    uses: ./lib/fail.yml",
      "  nested:",
      "    uses: ./lib/middle.yml",
      "    with:",
      "      word: hello",
      "  report:",
      "    needs: nested",
      "    runs-on: ubuntu-latest",
      "    steps:",
      '      - run: echo "report=${{ needs.nested.outputs.echoed }}"',
      "",
    ].join("\n");
    const runId = await startWorkflow(caller, ".gantry/workflows/ci.yml", (repoPath) => files[repoPath]);
    expect(await concluded(runId)).toBe("FAILED");
    const jobs = await jobsOf(runId);
    expect(jobs.map((job) => [job.key, job.status])).toEqual([
      ["after-fail", "SKIPPED"],
      ["fails", "FAILED"],
      ["fails / boom", "FAILED"],
      ["nested", "SUCCEEDED"],
      ["nested / inner", "SUCCEEDED"],
      ["nested / inner / say", "SUCCEEDED"],
      ["not-called", "SKIPPED"],
      ["report", "SUCCEEDED"],
    ]);
    expect(jobs.find((job) => job.key === "fails")?.failureReason).toBe("a called job failed");
    // The leaf sees what the middle passed; neither the top's nor the middle's workflow env reaches it.
    expect(jobs.find((job) => job.key === "nested")?.outputs).toEqual({ echoed: "leaf got hello-push (LEVEL=unset)" });
    expect(await jobLog(runId, "report")).toContain("report=leaf got hello-push (LEVEL=unset)");
  });

  it("cancelling a call cancels the jobs it called, running ones included", async () => {
    const files: Record<string, string> = { "lib/slow.yml": "on: workflow_call\njobs:\n  wait:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo started; sleep 300\n" };
    const runId = await startWorkflow("on: push\njobs:\n  slow:\n    uses: ./lib/slow.yml\n", ".gantry/workflows/ci.yml", (repoPath) => files[repoPath]);
    const running = await until(
      "the called job to run",
      async () => {
        const job = await cp.db.system("test").jobRun.findFirst({ where: { runId, key: "slow / wait", status: "RUNNING" } });
        return job ?? undefined;
      },
);
    const caller = await cp.db.system("test").jobRun.findFirstOrThrow({ where: { runId, key: "slow" } });
    expect(await cancelJob(cp.db, demo, caller.id, "cancelled by the test")).toBe(true);
    expect(await concluded(runId)).toBe("CANCELED");
    const jobs = await jobsOf(runId);
    expect(jobs.map((job) => [job.key, job.status])).toEqual([
      ["slow", "CANCELED"],
      ["slow / wait", "CANCELED"],
    ]);
    // The runner hears it on its next heartbeat and stops the sandbox: the attempt ends, well before the sleep would.
    await until(
      `the called job's attempt to end\n${lines.join("\n")}`,
      async () => {
        const attempt = await cp.db.system("test").jobAttempt.findFirst({ where: { jobRunId: running.id } });
        return attempt && attempt.status !== "RUNNING" && attempt.status !== "ASSIGNED" ? attempt.status : undefined;
      },
);
  });
});
