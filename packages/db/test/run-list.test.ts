// The run list (issue #17): every filter, keyset pages that stay put while runs are created, per-status counts, and
// another tenant's runs — with the same repository names, branches and actors — never in a page or a count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRuns, decodeRunCursor, encodeRunCursor, listRuns, openDatabase, RunListCursorError, runId, transitions, type Database, type RunStatus, type TenantContext, type TenantClient } from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";
import { seedTenant } from "./fixtures";

let testDb: TestDatabase;
let db: Database;
let acme: TenantContext;
let globex: TenantContext;
let scoped: TenantClient;

interface RunSpec {
  repo?: string;
  ref?: string;
  event?: string;
  status?: RunStatus;
  actor?: string | null;
  workflowPath?: string;
  workflowName?: string;
  sha?: string;
  at: number;
}

const T0 = Date.UTC(2026, 0, 1);
let serial = 0;

/** A run in the tenant's repository `repo` (`<tenant slug>/app` unless named), created `at` minutes after T0. */
async function addRun(ctx: TenantContext, spec: RunSpec): Promise<string> {
  serial += 1;
  const repositoryId = spec.repo ? `${ctx.tenantId}-${spec.repo}` : `${ctx.tenantId}-repo`;
  const client = db.forTenant(ctx);
  const runNumber = (await client.workflowRun.count({ where: { repositoryId } })) + 1;
  const idempotencyKey = `test:${serial}`;
  const id = runId(ctx.tenantId, idempotencyKey);
  await client.workflowRun.create({
    data: {
      id,
      tenantId: ctx.tenantId,
      repositoryId,
      idempotencyKey,
      workflowPath: spec.workflowPath ?? ".gantry/workflows/ci.yml",
      workflowName: spec.workflowName ?? "CI",
      event: spec.event ?? "push",
      ref: spec.ref ?? "refs/heads/main",
      sha: spec.sha ?? serial.toString(16).padStart(40, "0"),
      runNumber,
      status: spec.status ?? "SUCCEEDED",
      triggeredBy: spec.actor === undefined ? "alice" : spec.actor,
      plan: {},
      createdAt: new Date(T0 + spec.at * 60_000),
    },
  });
  return id;
}

async function numbers(query: Parameters<typeof listRuns>[1], client = scoped): Promise<string[]> {
  return (await listRuns(client, query)).runs.map((run) => `${run.repository}#${run.runNumber}`);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  acme = await seedTenant(db, "acme");
  globex = await seedTenant(db, "globex");
  scoped = db.forTenant(acme);
  // A second repository in each tenant, with the same name in both.
  for (const ctx of [acme, globex]) await db.forTenant(ctx).repository.create({ data: { id: `${ctx.tenantId}-web`, tenantId: ctx.tenantId, fullName: "shared/web" } });
  // acme/app #1..#6 and shared/web #1..#3, one a minute.
  await addRun(acme, { at: 1, event: "push", ref: "refs/heads/main", actor: "alice" });
  await addRun(acme, { at: 2, event: "pull_request", ref: "refs/pull/7/merge", actor: "bob", status: "FAILED" });
  await addRun(acme, { at: 3, repo: "web", event: "schedule", ref: "refs/heads/main", actor: null, workflowPath: ".github/workflows/nightly.yaml", workflowName: "Nightly build" });
  await addRun(acme, { at: 4, event: "push", ref: "refs/tags/v1.2", actor: "alice", workflowPath: ".gantry/workflows/release.yml", workflowName: "Release" });
  await addRun(acme, { at: 5, repo: "web", event: "workflow_dispatch", ref: "refs/heads/main", actor: "carol", workflowPath: ".github/workflows/deploy.yml", workflowName: "Deploy", status: "CANCELED" });
  await addRun(acme, { at: 6, event: "push", ref: "refs/heads/feature/login", actor: "bob", sha: "abcdef1234567890abcdef1234567890abcdef12", status: "FAILED" });
  await addRun(acme, { at: 7, repo: "web", event: "push", ref: "refs/heads/main", actor: "alice", status: "RUNNING" });
  await addRun(acme, { at: 8, event: "push", ref: "refs/heads/main", actor: "alice" });
  await addRun(acme, { at: 9, event: "pull_request", ref: "refs/pull/8/merge", actor: "carol" });
  // globex looks the same from far away: same repository name, branch, actor, workflow, sha.
  for (let at = 1; at <= 5; at++) await addRun(globex, { at, repo: "web", event: "push", ref: "refs/heads/main", actor: "alice", status: "FAILED", sha: "abcdef1234567890abcdef1234567890abcdef12" });
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

describe("listRuns", () => {
  it("lists the tenant's runs newest first, a page at a time, and another tenant's never", async () => {
    expect(await numbers({ limit: 50 })).toEqual(["acme/app#6", "acme/app#5", "shared/web#3", "acme/app#4", "shared/web#2", "acme/app#3", "shared/web#1", "acme/app#2", "acme/app#1"]);
    const first = await listRuns(scoped, { limit: 4 });
    expect(first.runs).toHaveLength(4);
    expect(first.runs[0]).toMatchObject({ repository: "acme/app", runNumber: 6, event: "pull_request", ref: "refs/pull/8/merge", triggeredBy: "carol", status: "SUCCEEDED", workflowName: "CI", runAttempt: 1 });
    expect(first.nextCursor).not.toBeNull();
    const globexAll = await numbers({ limit: 50 }, db.forTenant(globex));
    expect(globexAll).toEqual(["shared/web#5", "shared/web#4", "shared/web#3", "shared/web#2", "shared/web#1"]);
  });

  it("filters by repository, branch or tag, event, status, actor and workflow, each and together", async () => {
    expect(await numbers({ limit: 50, repository: "shared/web" })).toEqual(["shared/web#3", "shared/web#2", "shared/web#1"]);
    expect(await numbers({ limit: 50, repository: "nobody/nothing" })).toEqual([]);
    expect(await numbers({ limit: 50, branch: "main" })).toEqual(["acme/app#5", "shared/web#3", "shared/web#2", "shared/web#1", "acme/app#1"]);
    expect(await numbers({ limit: 50, branch: "v1.2" })).toEqual(["acme/app#3"]);
    expect(await numbers({ limit: 50, branch: "feature/login" })).toEqual(["acme/app#4"]);
    expect(await numbers({ limit: 50, branch: "refs/pull/7/merge" })).toEqual(["acme/app#2"]);
    expect(await numbers({ limit: 50, event: "pull_request" })).toEqual(["acme/app#6", "acme/app#2"]);
    expect(await numbers({ limit: 50, status: "FAILED" })).toEqual(["acme/app#4", "acme/app#2"]);
    expect(await numbers({ limit: 50, actor: "alice" })).toEqual(["acme/app#5", "shared/web#3", "acme/app#3", "acme/app#1"]);
    expect(await numbers({ limit: 50, workflow: "nightly" })).toEqual(["shared/web#1"]);
    expect(await numbers({ limit: 50, workflow: "deploy.yml" })).toEqual(["shared/web#2"]);
    expect(await numbers({ limit: 50, workflow: ".gantry/workflows/release.yml" })).toEqual(["acme/app#3"]);
    expect(await numbers({ limit: 50, workflow: "release.yaml" })).toEqual([]);
    expect(await numbers({ limit: 50, repository: "acme/app", branch: "main", event: "push", actor: "alice", workflow: "ci" })).toEqual(["acme/app#5", "acme/app#1"]);
    expect(await numbers({ limit: 50, repository: "shared/web", status: "RUNNING", actor: "alice" })).toEqual(["shared/web#3"]);
  });

  it("searches text as a run number, a commit or a piece of the workflow's name", async () => {
    expect(await numbers({ limit: 50, text: "#2" })).toEqual(["shared/web#2", "acme/app#2"]);
    expect(await numbers({ limit: 50, text: "3", repository: "shared/web" })).toEqual(["shared/web#3"]);
    expect(await numbers({ limit: 50, text: "abcdef1" })).toEqual(["acme/app#4"]);
    expect(await numbers({ limit: 50, text: "ABCDEF1234567890ABCDEF1234567890ABCDEF12" })).toEqual(["acme/app#4"]);
    expect(await numbers({ limit: 50, text: "nightly" })).toEqual(["shared/web#1"]);
    expect(await numbers({ limit: 50, text: "  DEPLOY " })).toEqual(["shared/web#2"]);
    // LIKE's wildcards are only characters here.
    expect(await numbers({ limit: 50, text: "%" })).toEqual([]);
    expect(await numbers({ limit: 50, text: "_" })).toEqual([]);
    expect(await numbers({ limit: 50, text: "#99" })).toEqual([]);
  });

  it("pages by keyset: runs created while someone pages never shift a later page, and ties in time are split by id", async () => {
    const before = await numbers({ limit: 50 });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listRuns(scoped, { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.runs.map((run) => `${run.repository}#${run.runNumber}`));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
      // A run created mid-way is newer than every cursor: it is on the first page, not on the ones after.
      if (pages === 2) await addRun(acme, { at: 100, event: "push", ref: "refs/heads/main" });
    } while (cursor);
    expect(seen).toEqual(before);
    expect(pages).toBe(5);
    expect(await numbers({ limit: 1 })).toEqual(["acme/app#7"]);

    // Three runs in one millisecond: pages of one walk them in id order, each once.
    const tied = [await addRun(acme, { at: 200, ref: "refs/heads/tie" }), await addRun(acme, { at: 200, ref: "refs/heads/tie" }), await addRun(acme, { at: 200, ref: "refs/heads/tie" })];
    const walked: string[] = [];
    let next: string | undefined;
    do {
      const page = await listRuns(scoped, { limit: 1, branch: "tie", ...(next ? { cursor: next } : {}) });
      walked.push(...page.runs.map((run) => run.id));
      next = page.nextCursor ?? undefined;
    } while (next);
    expect(walked).toEqual([...tied].sort().reverse());
  });

  it("refuses a cursor it did not give out, and reads its own back", async () => {
    await expect(listRuns(scoped, { limit: 5, cursor: "not-a-cursor" })).rejects.toBeInstanceOf(RunListCursorError);
    await expect(listRuns(scoped, { limit: 5, cursor: Buffer.from("12:x y").toString("base64url") })).rejects.toBeInstanceOf(RunListCursorError);
    const at = new Date(T0);
    expect(decodeRunCursor(encodeRunCursor(at, "run_abc-_1"))).toEqual({ createdAt: at, id: "run_abc-_1" });
  });

  it("follows a run's status as it changes (the list reads the run, not a copy)", async () => {
    const id = await addRun(acme, { at: 300, status: "QUEUED", ref: "refs/heads/moving" });
    expect((await listRuns(scoped, { limit: 5, status: "QUEUED", branch: "moving" })).runs.map((run) => run.id)).toEqual([id]);
    await transitions.markRunRunning(db.system("test"), acme, id);
    expect((await listRuns(scoped, { limit: 5, status: "QUEUED", branch: "moving" })).runs).toEqual([]);
    expect((await listRuns(scoped, { limit: 5, status: "RUNNING", branch: "moving" })).runs.map((run) => run.id)).toEqual([id]);
  });
});

describe("countRuns", () => {
  it("counts what matches, per status, leaving the status filter out of the per-status figures", async () => {
    const counts = await countRuns(scoped, { repository: "acme/app", branch: "main" });
    expect(counts.total).toBe(3);
    expect(counts.byStatus).toEqual({ QUEUED: 0, WAITING: 0, RUNNING: 0, SUCCEEDED: 3, FAILED: 0, CANCELED: 0, TIMED_OUT: 0, SKIPPED: 0 });
    const failed = await countRuns(scoped, { status: "FAILED", event: "push" });
    expect(failed.total).toBe(1);
    expect(failed.byStatus.SUCCEEDED).toBeGreaterThan(0);
    expect(failed.byStatus.FAILED).toBe(1);
  });

  it("never counts another tenant's runs, and counts nothing for a repository the tenant does not have", async () => {
    const shared = await countRuns(scoped, { repository: "shared/web", status: "FAILED" });
    expect(shared.total).toBe(0);
    expect((await countRuns(db.forTenant(globex), { repository: "shared/web" })).byStatus.FAILED).toBe(5);
    expect((await countRuns(scoped, { text: "abcdef1" })).total).toBe(1);
    expect(await countRuns(scoped, { repository: "globex/app" })).toMatchObject({ total: 0 });
  });
});
