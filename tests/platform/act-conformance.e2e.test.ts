// Conformance with nektos/act (issue #6): every row of act's runner test table marked run_only=true runs through
// Gantry end to end — a commit pushed to a plain git repository (act's testdata folder as the repository root, the
// row's workflow files in .gantry/workflows), the worker's intake, the fair scheduler, a real runner agent in bwrap
// sandboxes — and the run's conclusion is compared with act's expected result. Prints a table and the agreement rate.
import { execFileSync } from "node:child_process";
import { until } from "@gantry/testing";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO, intake, newToken, openDatabase, secretStore, seedDemo, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { Queues } from "@gantry/jobs";
import { compileWorkflow, dispatchTrigger, validateDispatchInputs } from "@gantry/workflow-schema";
import { POST as claim } from "../../apps/web/src/app/api/runner/v1/claim/route";
import { POST as complete } from "../../apps/web/src/app/api/runner/v1/complete/route";
import { POST as heartbeat } from "../../apps/web/src/app/api/runner/v1/heartbeat/route";
import { POST as logs } from "../../apps/web/src/app/api/runner/v1/logs/route";
import { POST as register } from "../../apps/web/src/app/api/runner/v1/register/route";
import { POST as step } from "../../apps/web/src/app/api/runner/v1/step/route";
import { closeServices } from "../../apps/web/src/server/services";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { startAgent, type AgentHandle } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { parseWorkerEnv } from "../../apps/worker/src/env";
import { startWorker, type RunningWorker } from "../../apps/worker/src/worker";
import { ACT_CORPUS, loadActCases, type ActCase } from "./act/cases";
import { KNOWN_DIFFERENCES } from "./act/known-differences";
import { serveRoutes } from "./route-server";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const keys = testRedis("act");
const { prefix } = keys;
const scratch = mkdtempSync(path.join(os.tmpdir(), "gantry-act-"));
const bare = path.join(scratch, "act.git");
const registrationToken = newToken("grt");
// Events a plain git source cannot deliver: they come from GitHub (pull requests) or from another workflow.
const NOT_FROM_PLAIN_GIT: Record<string, string> = {
  pull_request: "pull_request events come from GitHub's webhooks; a plain git source delivers pushes only",
  workflow_call: "workflow_call is how another workflow calls this one; act runs the callee alone, Gantry only through a caller",
};
const CASE_TIMEOUT_MS = 180_000;
const masterKey = randomBytes(32);

/** KEY=value lines; a double-quoted value's \n are newlines (act reads these files with a dotenv parser). */
function dotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1]) continue;
    const raw = match[2] ?? "";
    values[match[1]] = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1).replaceAll("\\n", "\n") : raw;
  }
  return values;
}
const ACT_REPOSITORY = "nektos/act";
const ACT_ACTOR = "nektos/act";

let testDb: TestDatabase;
let db: Database;
let worker: RunningWorker;
let queues: Queues;
let server: { url: string; close(): Promise<void> };
let agent: AgentHandle | undefined;
let parent = "0".repeat(40);

const bwrap = await new BwrapProvider().probe();

beforeAll(async () => {
  if (!bwrap.available) return;
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", bare]);
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  await seedDemo(db, { repositoryUrl: bare, runnerRegistrationToken: registrationToken, provider: "BWRAP" });
  // act's tests run as the repository nektos/act, pushed by nektos/act: the same names, so the rows that check
  // github.repository_owner or GITHUB_ACTOR see what they expect from real inputs, not from a special runner mode.
  await db.system("act conformance").repository.update({ where: { id: DEMO.repositoryId }, data: { fullName: ACT_REPOSITORY } });
  // act's secrets test reads its secrets from a dotenv file (secrets/.secrets): here they are the repository's.
  const ctx = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" as const } };
  const store = secretStore(db.forTenant(ctx), ctx, masterKey);
  for (const [name, value] of Object.entries(dotenv(readFileSync(path.join(ACT_CORPUS, "pkg/runner/testdata/secrets/.secrets"), "utf8")))) await store.put(`repo:${DEMO.repositoryId}`, name, value);
  for (const [name, value] of Object.entries({
    DATABASE_URL: testDb.url,
    REDIS_URL,
    NEXTAUTH_SECRET: randomBytes(24).toString("base64url"),
    NEXTAUTH_URL: "http://127.0.0.1:3999",
    GANTRY_QUEUE_PREFIX: prefix,
    GANTRY_STORAGE_DIR: path.join(scratch, "storage"),
    GANTRY_MASTER_KEY: masterKey.toString("base64"),
  }))
    vi.stubEnv(name, value);
  worker = await startWorker(parseWorkerEnv({ DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix, GANTRY_GIT_CACHE_DIR: path.join(scratch, "git-cache") }), () => undefined);
  queues = new Queues({ url: REDIS_URL }, prefix);
  server = await serveRoutes({
    "/api/runner/v1/register": register,
    "/api/runner/v1/claim": claim,
    "/api/runner/v1/heartbeat": heartbeat,
    "/api/runner/v1/complete": complete,
    "/api/runner/v1/logs": logs,
    "/api/runner/v1/step": step,
  });
  agent = startAgent(parseRunnerEnv({ GANTRY_URL: server.url, GANTRY_RUNNER_TOKEN: registrationToken, GANTRY_RUNNER_NAME: "act", GANTRY_RUNNER_CAPACITY: "2" }), { log: () => undefined });
});

afterAll(async () => {
  agent?.stop();
  await agent?.done.catch(() => undefined);
  await server?.close();
  await worker?.stop();
  await queues?.close();
  await closeServices();
  await keys.close();
  await db?.close();
  await testDb?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

/** One commit on main: act's workdir as the repository root, the case's workflow files in .gantry/workflows. */
function commitCase(actCase: ActCase): string {
  const tree = mkdtempSync(path.join(scratch, "tree-"));
  cpSync(path.join(ACT_CORPUS, actCase.workdir), tree, { recursive: true });
  execFileSync("chmod", ["-R", "u+w", tree]);
  mkdirSync(path.join(tree, ".gantry/workflows"), { recursive: true });
  for (const file of actCase.files) cpSync(path.join(tree, file), path.join(tree, ".gantry/workflows", path.basename(file)));
  const git = (...args: string[]) => execFileSync("git", ["-C", tree, "-c", "user.name=act", "-c", "user.email=act@gantry.local", ...args], { encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", actCase.name);
  git("push", "-q", "-f", bare, "main");
  const sha = git("rev-parse", "HEAD");
  rmSync(tree, { recursive: true, force: true });
  return sha;
}

/** The deliveries that start the case's runs, or why the control plane refuses to start them. */
async function deliver(actCase: ActCase, sha: string): Promise<{ ids: string[] } | { refused: string }> {
  const common = { tenantId: DEMO.tenantId, repositoryId: DEMO.repositoryId };
  const ids: string[] = [];
  if (actCase.event === "push") {
    // What the post-receive hook sends (scripts/git-hooks/post-receive → POST /api/git/sources/:id/push).
    const payload = { repository: ACT_REPOSITORY, ref: "refs/heads/main", before: parent, after: sha, pusher: ACT_ACTOR };
    const { id } = await intake.recordDelivery(db.sql("act"), { ...common, deliveryId: `act-${sha}`, source: "git", event: "push", payload });
    parent = sha;
    ids.push(id);
  } else {
    // What runs.dispatch records, one manual run per workflow file, after checking the inputs against the
    // workflow's declarations (defaults filled in) as it does.
    for (const file of actCase.files) {
      const workflowPath = `.gantry/workflows/${path.basename(file)}`;
      const { plan, errors } = compileWorkflow(readFileSync(path.join(ACT_CORPUS, actCase.workdir, file), "utf8"), workflowPath);
      if (!plan) return { refused: `runs.dispatch refuses an invalid workflow: ${errors.map((error) => `${error.line}:${error.col} ${error.message} [${error.code}]`).join("; ")}` };
      const trigger = dispatchTrigger(plan.triggers);
      if (!trigger) continue;
      const checked = validateDispatchInputs(trigger.inputs ?? [], actCase.inputs, { environments: [] });
      if (!checked.ok) return { refused: `runs.dispatch refuses the inputs: ${checked.problems.map((problem) => problem.message).join("; ")}` };
      const key = `act-${sha}-${path.basename(file)}`;
      const payload = { idempotencyKey: key, workflowPath, ref: "refs/heads/main", sha, inputs: checked.inputs, actor: ACT_ACTOR };
      const { id } = await intake.recordDelivery(db.sql("act"), { ...common, deliveryId: key, source: "api", event: "workflow_dispatch", payload });
      ids.push(id);
    }
  }
  for (const id of ids) await queues.add("intake", { deliveryId: id }, `intake-${id}`);
  return { ids };
}

interface CaseResult {
  actCase: ActCase;
  outcome: "success" | "failure" | "no run" | "not run";
  verdict: "agrees" | "differs" | "unsupported";
  detail: string;
  seconds: number;
}

const TERMINAL = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"];
const errorList = (errors: unknown) =>
  (Array.isArray(errors) ? errors : []).map((error: { file?: string; line?: number; col?: number; message?: string; code?: string }) => ({
    text: `${error.file ?? ""}:${error.line ?? 0}:${error.col ?? 0} ${error.message ?? ""} [${error.code ?? "?"}]`,
    unsupported: (error.code ?? "").startsWith("unsupported-"),
  }));

async function runCase(actCase: ActCase): Promise<CaseResult> {
  const started = Date.now();
  const done = (outcome: CaseResult["outcome"], verdict: CaseResult["verdict"], detail: string): CaseResult => ({ actCase, outcome, verdict, detail, seconds: (Date.now() - started) / 1000 });
  const notPlainGit = NOT_FROM_PLAIN_GIT[actCase.event];
  if (notPlainGit) return done("not run", "unsupported", notPlainGit);
  if (actCase.files.length === 0) return done("not run", "unsupported", `no workflow file at ${actCase.workflowPath}`);

  const sha = commitCase(actCase);
  const delivered = await deliver(actCase, sha);
  if ("refused" in delivered) return done("failure", actCase.expected === "failure" ? "agrees" : "differs", delivered.refused);
  const deliveries = delivered.ids;
  const sys = db.system("act conformance");
  const settled = await until(
    `intake of ${actCase.name}`,
    async () => {
      const rows = await sys.webhookDelivery.findMany({ where: { id: { in: deliveries } } });
      return rows.every((row) => row.status !== "RECEIVED") ? rows : undefined;
    },
    60_000,
  );
  const runs = await until(
    `the runs of ${actCase.name}`,
    async () => {
      const found = await sys.workflowRun.findMany({ where: { repositoryId: DEMO.repositoryId, sha }, include: { jobs: { include: { attempts: { include: { steps: true } } } } } });
      return found.every((run) => TERMINAL.includes(run.status)) ? found : undefined;
    },
    CASE_TIMEOUT_MS,
  );
  if (runs.length === 0) {
    const reasons = settled.map((row) => `${row.status}${row.error ? `: ${row.error}` : ""}`).join("; ");
    return done("no run", actCase.expected === "failure" ? "agrees" : "differs", `no run started (${reasons})`);
  }
  const errors = runs.flatMap((run) => errorList(run.errors));
  const failedJobs = runs.flatMap((run) => run.jobs.filter((job) => job.status !== "SUCCEEDED" && job.status !== "SKIPPED"));
  const outcome = runs.every((run) => run.status === "SUCCEEDED") ? "success" : "failure";
  const detail = errors.length
    ? errors.map((error) => error.text).join("; ")
    : failedJobs
        .map((job) => {
          const steps = job.attempts.flatMap((attempt) => attempt.steps.filter((one) => one.status === "FAILED").map((one) => one.name));
          return `job ${job.key} ${job.status}${job.failureReason ? ` (${job.failureReason})` : ""}${steps.length ? `, failed steps: ${steps.join(", ")}` : ""}`;
        })
        .join("; ");
  if (errors.some((error) => error.unsupported)) return done(outcome, "unsupported", detail);
  return done(outcome, outcome === actCase.expected ? "agrees" : "differs", detail);
}

function report(results: CaseResult[]): void {
  const lines = results.map((result) => {
    const rows = result.actCase.rows.length;
    const known = KNOWN_DIFFERENCES[result.actCase.name];
    const detail = result.verdict === "differs" && known ? `[${known.kind}] ${result.detail} — known: ${known.why}` : result.detail;
    return `${result.verdict.padEnd(11)} ${result.actCase.name.padEnd(52)} act ${result.actCase.expected.padEnd(7)} gantry ${result.outcome.padEnd(7)} ${String(rows).padStart(2)} row(s) ${result.seconds.toFixed(1).padStart(5)} s  ${detail.slice(0, 400)}`;
  });
  const rowsWhere = (keep: (result: CaseResult) => boolean) => results.filter(keep).reduce((sum, result) => sum + result.actCase.rows.length, 0);
  const kindOf = (result: CaseResult) => KNOWN_DIFFERENCES[result.actCase.name]?.kind;
  const agree = rowsWhere((result) => result.verdict === "agrees");
  const unsupported = rowsWhere((result) => result.verdict === "unsupported");
  const actOnly = rowsWhere((result) => result.verdict === "differs" && (kindOf(result) === "act-only" || kindOf(result) === "decision"));
  const notBuilt = rowsWhere((result) => result.verdict === "differs" && kindOf(result) === "not-built");
  const unexplained = rowsWhere((result) => result.verdict === "differs" && kindOf(result) === undefined);
  const supported = agree + notBuilt + unexplained;
  console.log(
    [
      "act conformance (../shared/corpus/act, run_only rows):",
      ...lines,
      `rows: ${agree} agree; ${actOnly} differ by act-only behaviour or a Gantry decision; ${notBuilt} differ for features not built yet; ${unexplained} differ unexplained; ${unsupported} not runnable from a plain git source (of ${results.reduce((sum, result) => sum + result.actCase.rows.length, 0)})`,
      `agreement on the rows whose features Gantry supports or means to: ${agree}/${supported} = ${((100 * agree) / Math.max(1, supported)).toFixed(1)} %`,
    ].join("\n"),
  );
}

describe("act conformance", () => {
  it.skipIf(!bwrap.available)("runs act's run-only rows end to end; every difference is a known one, with its reason", async () => {
    const cases = loadActCases();
    expect(cases.flatMap((one) => one.rows)).toHaveLength(62);
    const results: CaseResult[] = [];
    for (const actCase of cases) results.push(await runCase(actCase));
    report(results);

    const unexplained = results.filter((result) => result.verdict === "differs" && !KNOWN_DIFFERENCES[result.actCase.name]);
    expect(unexplained.map((result) => `${result.actCase.name}: act ${result.actCase.expected}, gantry ${result.outcome} — ${result.detail}`)).toEqual([]);
    const nowAgreeing = results.filter((result) => result.verdict !== "differs" && KNOWN_DIFFERENCES[result.actCase.name]);
    expect(nowAgreeing.map((result) => `${result.actCase.name} is listed in known-differences.ts but ${result.verdict === "agrees" ? "agrees now" : "is unsupported"}`)).toEqual([]);
    for (const result of results.filter((one) => one.verdict === "unsupported")) expect(result.detail, result.actCase.name).not.toBe("");
  }, 1_800_000);
});
