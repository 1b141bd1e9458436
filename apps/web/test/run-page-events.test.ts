// The run page's live stream (GET /api/t/<tenant>/runs/<runId>/events) against a real database and Redis, fed by the
// real engine's doorbell through the process's RunEventHub: the run's state first, then each job status change of
// this run (one the Runs page's stream never sends), never another run's; every stream of the process on one Redis
// subscriber; Last-Event-ID resumes (missed changes: the state; none: ready); members of the run's tenant only.
import { DEMO, intake, randomId, transitions, type TenantContext } from "@gantry/db";
import { createEngine, publishRunChange } from "@gantry/engine";
import { FairScheduler } from "@gantry/scheduler";
import { testRedis, until, type TestRedis } from "@gantry/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { RunEventHub } from "../src/server/run-events/run-event-hub";
import { handleRunEvents } from "../src/server/run-events/run-event-stream";
import { handleRunPageEvents } from "../src/server/run-events/run-page-stream";
import { readEvents } from "./sse-reader";
import { addMember, setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;
let redis: TestRedis;
let publisher: Redis;
let hub: RunEventHub;
const demoUser: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const other: TenantContext = { tenantId: "ten_other_run_page", actor: { kind: "SYSTEM" } };
const sys = () => t.database.system("test");

beforeAll(async () => {
  t = await setupWebTest();
  redis = testRedis("run-page-events");
  publisher = redis.connect();
  // No fallback read within a test: what arrives, a ring brought.
  hub = new RunEventHub({ subscriber: redis.connect(), prefix: redis.prefix, database: t.database, fallbackMs: 10 * 60_000 });
  await sys().tenant.create({ data: { id: other.tenantId, slug: "other-run-page", name: "Other" } });
  await t.database.forTenant(other).repository.create({ data: { id: "repo_other_run_page", tenantId: other.tenantId, fullName: "other/app" } });
});
afterAll(async () => {
  await hub?.close();
  await redis?.close();
  await t?.close();
});

const doorbell = (tenantId: string) => publishRunChange(publisher, redis.prefix)(tenantId);

/** A run of two jobs, `build` and `test` (needs build), with the ids of its jobs. */
async function newRun(ctx: TenantContext = demo, repositoryId: string = DEMO.repositoryId) {
  const job = (key: string, needs: string[] = []) => ({ key, jobId: key, name: key, needs, runsOn: ["ubuntu-latest"], timeoutMinutes: 10, continueOnError: false, retry: { maxAttempts: 1 } });
  const { runId } = await intake.createRun(sys(), ctx, {
    repositoryId,
    idempotencyKey: randomId("run-page"),
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "d".repeat(40),
    trusted: true,
    plan: { jobs: [job("build"), job("test", ["build"])] },
  });
  const jobs = await sys().jobRun.findMany({ where: { runId }, select: { id: true, key: true } });
  const id = (key: string) => jobs.find((candidate) => candidate.key === key)?.id ?? "";
  return { runId, build: id("build"), test: id("test") };
}

function openRun(runId: string, options: { session?: SessionUser | null; tenant?: string; lastEventId?: string } = {}) {
  const abort = new AbortController();
  const tenant = options.tenant ?? DEMO.tenantSlug;
  const request = new Request(`http://127.0.0.1/api/t/${tenant}/runs/${runId}/events`, { headers: options.lastEventId ? { "last-event-id": options.lastEventId } : {}, signal: abort.signal });
  const session = options.session === undefined ? demoUser : options.session;
  const stream = readEvents(handleRunPageEvents(request, tenant, runId, { caller: { session, apiToken: null, bearerRefusal: null }, database: t.database, redis: t.redis, queues: t.queues, hub }), abort);
  type JobState = { key: string; status: string };
  const states = () => stream.events.filter((event) => event.event === "run").map((event) => event.data as { status: string; runAttempt: number; jobs: JobState[] });
  return { ...stream, states, jobStatus: (key: string) => states().at(-1)?.jobs.find((job) => job.key === key)?.status };
}

function openList() {
  const abort = new AbortController();
  const request = new Request(`http://127.0.0.1/api/t/${DEMO.tenantSlug}/runs/events`, { signal: abort.signal });
  return readEvents(handleRunEvents(request, DEMO.tenantSlug, { caller: { session: demoUser, apiToken: null, bearerRefusal: null }, database: t.database, redis: t.redis, queues: t.queues, hub }), abort);
}

describe("GET /api/t/<tenant>/runs/<runId>/events", () => {
  it("sends the run's state, then each job change of this run — which the Runs page's stream does not hear", async () => {
    const { runId, build } = await newRun();
    const elsewhere = await newRun();
    const page = openRun(runId);
    const list = openList();
    const response = await page.response;
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "text/event-stream; charset=utf-8"]);
    const first = await until("the run's state", () => page.states()[0]);
    expect(first).toMatchObject({ status: "QUEUED", runAttempt: 1, jobs: [{ key: "build", status: "QUEUED", needs: [] }, { key: "test", status: "QUEUED", needs: ["build"] }] });
    await until("the list is live", () => list.events.some((event) => event.event === "ready"));

    // A job moves while its run does not: only the run page hears of it.
    await transitions.markJobWaiting(sys(), demo, elsewhere.build);
    await transitions.markJobWaiting(sys(), demo, build);
    await doorbell(DEMO.tenantId);
    await until("build queued for a runner", () => page.jobStatus("build") === "WAITING");
    const assigned = await transitions.assignJob(sys(), demo, { jobId: build, expectedAttempt: 0, leaseMs: 60_000 });
    await transitions.markRunRunning(sys(), demo, runId);
    await doorbell(DEMO.tenantId);
    await until("build running", () => page.jobStatus("build") === "RUNNING" && page.states().at(-1)?.status === "RUNNING");
    await transitions.finishAttempt(sys(), demo, assigned?.attemptId ?? "", "SUCCEEDED");
    await transitions.finishJob(sys(), demo, build, 1, "SUCCEEDED");
    await doorbell(DEMO.tenantId);
    const done = await until("build succeeded", () => page.states().find((state) => state.jobs.find((job) => job.key === "build")?.status === "SUCCEEDED"));
    expect(done.jobs.find((job) => job.key === "build")).toMatchObject({ attempt: 1, startedAt: expect.any(String), finishedAt: expect.any(String) });
    // Another run's job change rang the same doorbell, and brought no state of it.
    expect(JSON.stringify(page.events.map((event) => event.data))).not.toContain(elsewhere.runId);
    // Each event's id is the tenant's position, rising.
    const ids = page.events.filter((event) => event.event === "run").map((event) => BigInt((event.id ?? "0:").split(":")[0] ?? "0"));
    expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);

    // The Runs page heard the run start, never a job.
    await until("the list heard the run start", () => list.events.some((event) => event.event === "runs" && JSON.stringify(event.data).includes(runId)));
    expect(list.events.filter((event) => event.event === "runs").map((event) => event.data)).toEqual([{ changed: [{ runId, status: "RUNNING" }], created: false }]);
    await page.close();
    await list.close();
  });

  it("serves every run page of the process from one Redis subscriber, and lets it go when they leave", async () => {
    const { runId } = await newRun();
    const pages = [openRun(runId), openRun(runId), openList()];
    await until("all live", () => pages.every((page) => page.events.some((event) => event.event === "run" || event.event === "ready")));
    expect(hub.watchers(DEMO.tenantId)).toBe(3);
    const channel = `${redis.prefix}:{tenant:${DEMO.tenantId}}:run-events`;
    expect(await publisher.pubsub("NUMSUB", channel)).toEqual([channel, 1]);
    for (const page of pages) await page.close();
    await until("unsubscribed", async () => hub.watchers(DEMO.tenantId) === 0 && (await publisher.pubsub("NUMSUB", channel))[1] === 0);
  });

  it("resumes from Last-Event-ID: a job changed while away brings the state; nothing changed: ready", async () => {
    const { runId, build } = await newRun();
    const first = openRun(runId);
    await until("the run's state", () => first.states()[0]);
    const cursor = first.events.find((event) => event.event === "run")?.id ?? "";
    expect(cursor).toMatch(/^\d+:run_/);
    await first.close();

    const quiet = openRun(runId, { lastEventId: cursor });
    expect(await until("ready", () => quiet.events[0])).toMatchObject({ event: "ready", id: cursor });
    await quiet.close();

    // The engine cancels a job while nobody watches (its doorbell rings for no one).
    const engine = createEngine({ db: t.database, scheduler: new FairScheduler({ redis: publisher, prefix: redis.prefix }), queues: t.queues, announceRunChange: (tenantId) => doorbell(tenantId) });
    expect(await engine.cancelJob(demo, build, "test")).toBe(true);
    const resumed = openRun(runId, { lastEventId: cursor });
    const missed = await until("the missed change", () => resumed.events[0]);
    expect(missed.event).toBe("run");
    expect(resumed.jobStatus("build")).toBe("CANCELED");
    await resumed.close();
  });

  it("answers the run's tenant's members only: 401 signed out, 403 to another tenant's member, 404 for another tenant's run", async () => {
    const { runId } = await newRun();
    const signedOut = openRun(runId, { session: null });
    expect((await signedOut.response).status).toBe(401);
    // A member of the other tenant only: refused at the tenant, as every tenant procedure refuses.
    const theirMember = await addMember(t.database, "ADMIN", { tenantId: other.tenantId });
    const refused = await openRun(runId, { session: theirMember }).response;
    expect([refused.status, await refused.json()]).toEqual([403, { error: `You are not a member of tenant '${DEMO.tenantSlug}'.` }]);
    // …and through their own tenant's address, our run does not exist.
    const foreign = await openRun(runId, { session: theirMember, tenant: "other-run-page" }).response;
    expect(foreign.status).toBe(404);
    expect(hub.watchers(other.tenantId)).toBe(0);
    // Their own run is theirs to watch; a viewer of ours may watch ours.
    const theirs = await newRun(other, "repo_other_run_page");
    const own = openRun(theirs.runId, { session: theirMember, tenant: "other-run-page" });
    expect((await own.response).status).toBe(200);
    await own.close();
    const viewer = openRun(runId, { session: await addMember(t.database, "VIEWER") });
    expect((await viewer.response).status).toBe(200);
    await until("the run's state", () => viewer.states()[0]);
    await viewer.close();
  });
});
