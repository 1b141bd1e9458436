// runs.dispatch through the real procedure chain against a real bare repository: a valid call stores one
// workflow_dispatch delivery (resolved sha, typed inputs) and returns the run id; the same idempotency key ten
// times at once still makes one; anything invalid is refused with every problem and writes nothing.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runId } from "@gantry/db";
import { dispatchRunKey } from "@gantry/jobs";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext, FieldErrors } from "../src/server/trpc";
import { DEMO, setupWebTest, type WebTestContext } from "./support";

const MANUAL = `name: Deploy
on:
  workflow_dispatch:
    inputs:
      target: { type: environment, required: true }
      level: { type: choice, options: [low, high], default: low }
      dry: { type: boolean, default: true }
      replicas: { type: number, default: 2 }
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps: [{ run: echo deploy }]
`;
const PUSH_ONLY = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{ run: echo }]\n";

let t: WebTestContext;
const root = mkdtempSync(path.join(os.tmpdir(), "gantry-dispatch-"));
const bare = path.join(root, "demo.git");
let head = "";
const developer: SessionUser = { userId: "usr_dev", email: "dev@gantry.local", name: "Dev" };
const viewer: SessionUser = { userId: "usr_viewer", email: "viewer@gantry.local", name: "Viewer" };
const callerFor = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));
const sys = () => t.database.system("test");
const base = { tenant: DEMO.tenantSlug, repositoryId: DEMO.repositoryId, workflowPath: ".gantry/workflows/deploy.yml" };

function git(cwd: string, ...args: string[]) {
  return execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" }).trim();
}

beforeAll(async () => {
  t = await setupWebTest();
  const work = path.join(root, "work");
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", bare);
  git(root, "init", "--quiet", "--initial-branch=main", work);
  mkdirSync(path.join(work, ".gantry/workflows"), { recursive: true });
  writeFileSync(path.join(work, ".gantry/workflows/deploy.yml"), MANUAL);
  writeFileSync(path.join(work, ".gantry/workflows/ci.yml"), PUSH_ONLY);
  git(work, "add", "-A");
  git(work, "commit", "--quiet", "-m", "workflows");
  git(work, "push", "--quiet", bare, "HEAD:refs/heads/main");
  head = git(work, "rev-parse", "HEAD");
  await sys().gitSource.update({ where: { id: DEMO.gitSourceId }, data: { url: bare } });
  await sys().environment.createMany({ data: [{ id: "env_staging", tenantId: DEMO.tenantId, repositoryId: DEMO.repositoryId, name: "staging" }, { id: "env_prod", tenantId: DEMO.tenantId, repositoryId: DEMO.repositoryId, name: "production" }] });
  for (const [user, role] of [[developer, "DEVELOPER"], [viewer, "VIEWER"]] as const) {
    await sys().user.create({ data: { id: user.userId, email: user.email, name: user.name } });
    await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: user.userId, role } });
  }
});
afterAll(async () => {
  await t?.close();
  rmSync(root, { recursive: true, force: true });
});

const deliveries = () => sys().webhookDelivery.findMany({ where: { source: "api", event: "workflow_dispatch" } });

async function refusal(call: Promise<unknown>): Promise<TRPCError> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe("runs.dispatch", () => {
  it("stores one delivery with the resolved commit and typed inputs, and returns the run id", async () => {
    const result = await callerFor(developer).runs.dispatch({ ...base, inputs: { target: "staging", dry: "false" }, idempotencyKey: "click-0001" });
    const expectedRun = runId(DEMO.tenantId, dispatchRunKey(DEMO.repositoryId, "click-0001"));
    expect(result).toEqual({ runId: expectedRun, duplicate: false, ref: "refs/heads/main", sha: head, inputs: { target: "staging", level: "low", dry: false, replicas: 2 } });
    const [delivery, ...others] = await deliveries();
    expect(others).toHaveLength(0);
    expect(delivery).toMatchObject({ deliveryId: `api:${dispatchRunKey(DEMO.repositoryId, "click-0001")}`, tenantId: DEMO.tenantId, repositoryId: DEMO.repositoryId, status: "RECEIVED" });
    expect(delivery?.payload).toEqual({ idempotencyKey: "click-0001", workflowPath: base.workflowPath, ref: "refs/heads/main", sha: head, inputs: { target: "staging", level: "low", dry: false, replicas: 2 }, actor: developer.email });
    expect(await t.queues.queue("gantry-intake").getJob(`intake-${delivery?.id}`)).toBeTruthy();
  });

  it("ten concurrent calls with one idempotency key make one delivery and all get the same run id", async () => {
    const before = (await deliveries()).length;
    const results = await Promise.all(Array.from({ length: 10 }, () => callerFor(developer).runs.dispatch({ ...base, inputs: { target: "production" }, idempotencyKey: "double-click-7" })));
    expect(new Set(results.map((result) => result.runId))).toEqual(new Set([runId(DEMO.tenantId, dispatchRunKey(DEMO.repositoryId, "double-click-7"))]));
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect((await deliveries()).length).toBe(before + 1);
  });

  it("refuses bad inputs with every problem, per input, and writes nothing", async () => {
    const before = { deliveries: (await deliveries()).length, audit: await sys().auditEvent.count() };
    const error = await refusal(callerFor(developer).runs.dispatch({ ...base, inputs: { level: "medium", replicas: "many", typo: 1 } }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.cause).toBeInstanceOf(FieldErrors);
    const issues = (error.cause as FieldErrors).fields;
    expect(Object.fromEntries(issues.map((issue) => [issue.path.join("."), issue.message]))).toEqual({
      "inputs.typo": 'input "typo" is not declared by the workflow (declared inputs are "target", "level", "dry", "replicas")',
      "inputs.target": 'input "target" is required',
      "inputs.level": 'input "level" must be one of "low", "high" but got "medium"',
      "inputs.replicas": 'input "replicas" must be a number but got "many"',
    });
    expect(issues.find((issue) => issue.path[1] === "level")?.choices).toEqual(["low", "high"]);
    expect({ deliveries: (await deliveries()).length, audit: await sys().auditEvent.count() }).toEqual(before);
  });

  it("lists the dispatchable workflows for the form, and knows a recorded run that intake has not created yet", async () => {
    const listed = await callerFor(viewer).runs.dispatchable({ tenant: DEMO.tenantSlug });
    expect(listed).toEqual([
      {
        repositoryId: DEMO.repositoryId,
        repository: "demo/hello",
        defaultBranch: "main",
        workflowPath: ".gantry/workflows/deploy.yml",
        name: "Deploy",
        inputs: [
          { name: "target", type: "environment", required: true },
          { name: "level", type: "choice", required: false, options: ["low", "high"], default: "low" },
          { name: "dry", type: "boolean", required: false, default: true },
          { name: "replicas", type: "number", required: false, default: 2 },
        ],
        environments: ["production", "staging"],
      },
    ]);
    const pendingRun = runId(DEMO.tenantId, dispatchRunKey(DEMO.repositoryId, "click-0001"));
    expect(await callerFor(viewer).runs.intakePending({ tenant: DEMO.tenantSlug, runId: pendingRun })).toEqual({ pending: true });
    expect(await callerFor(viewer).runs.intakePending({ tenant: DEMO.tenantSlug, runId: "run_unknown" })).toEqual({ pending: false });
  });

  it("refuses a workflow without workflow_dispatch, an unknown ref, a missing file, and a viewer", async () => {
    const before = (await deliveries()).length;
    expect((await refusal(callerFor(developer).runs.dispatch({ ...base, workflowPath: ".gantry/workflows/ci.yml" }))).message).toContain("has no workflow_dispatch trigger");
    expect((await refusal(callerFor(developer).runs.dispatch({ ...base, ref: "nope", inputs: { target: "staging" } }))).message).toBe('No branch or tag "nope" in demo/hello.');
    expect((await refusal(callerFor(developer).runs.dispatch({ ...base, workflowPath: ".gantry/workflows/gone.yml" }))).message).toContain("No workflow .gantry/workflows/gone.yml at refs/heads/main");
    expect((await refusal(callerFor(viewer).runs.dispatch({ ...base, inputs: { target: "staging" } }))).code).toBe("FORBIDDEN");
    expect((await deliveries()).length).toBe(before);
  });
});
