// runs.get through the real procedure chain: a member sees the run, its jobs and its workflow errors;
// another tenant's run is NOT_FOUND.
import { intake, jobRunId, randomId, transitions, type TenantContext } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;
const demoUser: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const caller = () => createCaller(createTRPCContext({ session: demoUser, database: t.database, redis: t.redis, queues: t.queues, now: () => new Date() }));

const base = (key: string) => ({
  repositoryId: DEMO.repositoryId,
  idempotencyKey: key,
  workflowPath: ".gantry/workflows/ci.yml",
  workflowName: "CI",
  event: "push",
  ref: "refs/heads/main",
  sha: "c".repeat(40),
  trusted: true,
});

beforeAll(async () => {
  t = await setupWebTest();
});
afterAll(async () => {
  await t?.close();
});

describe("runs.get", () => {
  it("returns the run with its jobs in plan order, needs as job keys, and the workflow a job calls", async () => {
    const job = (key: string, needs: string[] = []) => ({ key, jobId: key, name: key, needs, runsOn: ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } });
    const calls = { ...job("deploy", ["test"]), uses: "./.gantry/lib/deploy.yml" };
    const created = await intake.createRun(t.database.system("test"), demo, { ...base("k1"), plan: { jobs: [job("build"), calls, job("test", ["build"])] } });
    // The call starts: its job joins the run (and the end of the stored plan), listed under its caller.
    await transitions.startReusableCall(t.database.system("test"), demo, { runId: created.runId, jobId: jobRunId(created.runId, "deploy"), called: [{ ...job("deploy / push"), calledBy: "deploy" }], inputs: {} });
    const run = await caller().runs.get({ tenant: DEMO.tenantSlug, runId: created.runId });
    expect(run).toMatchObject({ workflowName: "CI", repository: DEMO.repositoryName, status: "QUEUED", errors: [] });
    expect(run.jobs.map((j) => [j.key, j.needs, j.calls, j.status])).toEqual([
      ["build", [], null, "QUEUED"],
      ["deploy", ["test"], "./.gantry/lib/deploy.yml", "RUNNING"],
      ["deploy / push", [], null, "QUEUED"],
      ["test", ["build"], null, "QUEUED"],
    ]);
  });

  it("names each matrix cell's group and values, and each called job's caller (what the run graph groups by)", async () => {
    const job = (key: string, extra: Record<string, unknown> = {}) => ({ key, jobId: key, name: key, needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 }, ...extra });
    const cells = [job("test (18, linux)", { jobId: "test", matrix: { node: 18, os: "linux" } }), job("test (20, linux)", { jobId: "test", matrix: { node: 20, os: "linux" } })];
    const calls = job("deploy", { needs: ["test (18, linux)", "test (20, linux)"], uses: "./.gantry/lib/deploy.yml" });
    const created = await intake.createRun(t.database.system("test"), demo, { ...base("k-graph"), plan: { jobs: [...cells, calls] } });
    // The called workflow has a matrix of its own: its cells are keyed, and grouped, under the caller.
    const called = [job("deploy / fan (1)", { jobId: "fan", matrix: { n: 1 }, calledBy: "deploy" }), job("deploy / push", { jobId: "push", needs: ["deploy / fan (1)"], calledBy: "deploy" })];
    await transitions.startReusableCall(t.database.system("test"), demo, { runId: created.runId, jobId: jobRunId(created.runId, "deploy"), called, inputs: {} });
    const run = await caller().runs.get({ tenant: DEMO.tenantSlug, runId: created.runId });
    expect(run.jobs.map((j) => [j.key, j.needs, j.calledBy, j.matrix])).toEqual([
      ["test (18, linux)", [], null, { of: "test", values: { node: "18", os: "linux" } }],
      ["test (20, linux)", [], null, { of: "test", values: { node: "20", os: "linux" } }],
      ["deploy", ["test (18, linux)", "test (20, linux)"], null, null],
      ["deploy / fan (1)", [], "deploy", { of: "deploy / fan", values: { n: "1" } }],
      ["deploy / push", ["deploy / fan (1)"], "deploy", null],
    ]);
  });

  it("shows an invalid workflow's errors with positions", async () => {
    const errors = [{ file: ".gantry/workflows/ci.yml", line: 4, col: 3, code: "unknown-key", message: 'unknown key "stepz"', severity: "error" }];
    const created = await intake.createInvalidRun(t.database.system("test"), demo, { ...base("k2"), errors });
    const run = await caller().runs.get({ tenant: DEMO.tenantSlug, runId: created.runId });
    expect(run.status).toBe("FAILED");
    expect(run.errors).toEqual(errors);
  });

  it("names the event's actor, commit message and repository page; never another tenant's delivery, never a script URL", async () => {
    const sys = t.database.system("test");
    const delivery = async (tenantId: string, payload: object) =>
      (await sys.webhookDelivery.create({ data: { id: randomId("dlv"), deliveryId: randomId("gh"), source: "github", event: "push", tenantId, payload } })).id;
    const withDelivery = async (key: string, deliveryId: string) => {
      const created = await intake.createRun(sys, demo, { ...base(key), plan: { jobs: [] } });
      await sys.workflowRun.update({ where: { id: created.runId }, data: { deliveryId } });
      return (await caller().runs.get({ tenant: DEMO.tenantSlug, runId: created.runId })).origin;
    };
    const push = { sender: { login: "octocat" }, head_commit: { message: "Fix the flaky test\n\nIt raced." }, repository: { html_url: "https://github.com/acme/app/" } };
    expect(await withDelivery("origin-push", await delivery(DEMO.tenantId, push))).toEqual({ actor: "octocat", commitMessage: "Fix the flaky test\n\nIt raced.", repositoryUrl: "https://github.com/acme/app" });
    const pullRequest = { sender: { login: "hubot" }, pull_request: { title: "Add caching" }, repository: { html_url: "javascript:alert(1)" } };
    expect(await withDelivery("origin-pr", await delivery(DEMO.tenantId, pullRequest))).toEqual({ actor: "hubot", commitMessage: "Add caching", repositoryUrl: null });
    expect(await withDelivery("origin-git", await delivery(DEMO.tenantId, { repository: "demo/hello", pusher: "alice" }))).toEqual({ actor: "alice", commitMessage: null, repositoryUrl: null });
    const otherTenant = randomId("ten");
    await sys.tenant.create({ data: { id: otherTenant, slug: otherTenant.toLowerCase(), name: "Other" } });
    expect(await withDelivery("origin-foreign", await delivery(otherTenant, push))).toEqual({ actor: null, commitMessage: null, repositoryUrl: null });
  });

  it("does not reveal another tenant's run", async () => {
    const other = randomId("ten");
    await t.database.system("test").tenant.create({ data: { id: other, slug: "other", name: "Other" } });
    await t.database.system("test").repository.create({ data: { id: `${other}-repo`, tenantId: other, fullName: "other/app" } });
    const created = await intake.createRun(t.database.system("test"), { tenantId: other, actor: { kind: "SYSTEM" } }, { ...base("k3"), repositoryId: `${other}-repo`, plan: { jobs: [] } });
    const error = await caller()
      .runs.get({ tenant: DEMO.tenantSlug, runId: created.runId })
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect(error instanceof TRPCError ? error.code : "").toBe("NOT_FOUND");
  });
});
