// The live run events endpoint (GET /api/t/<tenant>/runs/events) against a real database and Redis, fed by the real
// engine's doorbell: a run's status change arrives; another tenant's never does; one subscriber connection serves
// every watcher of the process; a lost ring is made up by the fallback read; a change that commits after a later one
// was read still arrives; a reconnect with Last-Event-ID gets what it missed; members only.
import { DEMO, intake, randomId, transitions, type TenantContext } from "@gantry/db";
import { createEngine, publishRunChange } from "@gantry/engine";
import { FairScheduler } from "@gantry/scheduler";
import { testRedis, until, type TestRedis } from "@gantry/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { RunEventHub } from "../src/server/run-events/run-event-hub";
import { handleRunEvents } from "../src/server/run-events/run-event-stream";
import { readEvents } from "./sse-reader";
import { addMember, setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;
let redis: TestRedis;
let publisher: Redis;
let hub: RunEventHub;
const demoUser: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const other: TenantContext = { tenantId: "ten_other_events", actor: { kind: "SYSTEM" } };

beforeAll(async () => {
  t = await setupWebTest();
  redis = testRedis("run-events");
  publisher = redis.connect();
  // No fallback read within a test: what arrives, a ring brought (the lost-ring test has a hub of its own).
  hub = new RunEventHub({ subscriber: redis.connect(), prefix: redis.prefix, database: t.database, fallbackMs: 10 * 60_000 });
  await t.database.system("test").tenant.create({ data: { id: other.tenantId, slug: "other-events", name: "Other" } });
  await t.database.forTenant(other).repository.create({ data: { id: "repo_other_events", tenantId: other.tenantId, fullName: "other/app" } });
});
afterAll(async () => {
  await hub?.close();
  await redis?.close();
  await t?.close();
});

const doorbell = (tenantId: string) => publishRunChange(publisher, redis.prefix)(tenantId);

async function newRun(ctx: TenantContext, repositoryId: string = DEMO.repositoryId): Promise<string> {
  const created = await intake.createRun(t.database.system("test"), ctx, {
    repositoryId,
    idempotencyKey: randomId("events"),
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "c".repeat(40),
    trusted: true,
    plan: { jobs: [{ key: "build", jobId: "build", name: "build", needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 10, continueOnError: false, retry: { maxAttempts: 1 } }] },
  });
  return created.runId;
}

/** The endpoint's answer, read as it streams: the events so far, and a way to hang up. */
function open(options: { session?: SessionUser | null; tenant?: string; lastEventId?: string; through?: RunEventHub } = {}) {
  const abort = new AbortController();
  const request = new Request(`http://127.0.0.1/api/t/${options.tenant ?? DEMO.tenantSlug}/runs/events`, { headers: options.lastEventId ? { "last-event-id": options.lastEventId } : {}, signal: abort.signal });
  const session = options.session === undefined ? demoUser : options.session;
  const stream = readEvents(handleRunEvents(request, options.tenant ?? DEMO.tenantSlug, { caller: { session, apiToken: null, bearerRefusal: null }, database: t.database, redis: t.redis, queues: t.queues, hub: options.through ?? hub }), abort);
  return { ...stream, runs: () => stream.events.filter((event) => event.event === "runs") };
}

describe("GET /api/t/<tenant>/runs/events", () => {
  it("says where the tenant stands, then sends each run status change the engine announces", async () => {
    const runId = await newRun(demo);
    const stream = open();
    const response = await stream.response;
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "text/event-stream; charset=utf-8"]);
    await until("ready", () => stream.events.find((event) => event.event === "ready"));
    const readyId = stream.events[0]?.id;
    expect(readyId).toMatch(/^\d+:run_/);

    // The real engine, with the doorbell the web and the worker give it: cancelling rings once it is done.
    const engine = createEngine({ db: t.database, scheduler: new FairScheduler({ redis: publisher, prefix: redis.prefix }), queues: t.queues, announceRunChange: (tenantId) => doorbell(tenantId) });
    await engine.cancelRun(demo, runId, "test");
    const event = await until("the cancel", () => stream.runs().find((candidate) => (candidate.data.changed as { runId: string }[]).some((change) => change.runId === runId)));
    expect(event.data).toEqual({ changed: [{ runId, status: "CANCELED" }], created: false });
    expect(event.id).not.toBe(readyId);
    await stream.close();
  });

  it("never sends another tenant's changes, and one subscriber connection serves every watcher", async () => {
    const streams = [open(), open(), open()];
    for (const stream of streams) await until("ready", () => stream.events.some((event) => event.event === "ready"));
    expect(hub.watchers(DEMO.tenantId)).toBe(3);
    const channel = `${redis.prefix}:{tenant:${DEMO.tenantId}}:run-events`;
    expect(await publisher.pubsub("NUMSUB", channel)).toEqual([channel, 1]);

    const theirs = await newRun(other, "repo_other_events");
    await transitions.markRunRunning(t.database.system("test"), other, theirs);
    await doorbell(other.tenantId);
    const ours = await newRun(demo);
    await transitions.markRunRunning(t.database.system("test"), demo, ours);
    await doorbell(DEMO.tenantId);
    for (const stream of streams) {
      await until("our change", () => stream.runs().some((event) => JSON.stringify(event.data).includes(ours)));
      expect(JSON.stringify(stream.events)).not.toContain(theirs);
    }
    for (const stream of streams) await stream.close();
    await until("unsubscribed", async () => hub.watchers(DEMO.tenantId) === 0 && (await publisher.pubsub("NUMSUB", channel))[1] === 0);
  });

  it("makes up for a lost ring with its fallback read, and for a change that committed after a later one", async () => {
    const patient = new RunEventHub({ subscriber: redis.connect(), prefix: redis.prefix, database: t.database, fallbackMs: 300 });
    const stream = open({ through: patient });
    await until("ready", () => stream.events.some((event) => event.event === "ready"));
    const quiet = await newRun(demo);
    await transitions.markRunRunning(t.database.system("test"), demo, quiet);
    // No ring at all (as if Redis dropped it): the fallback read finds it.
    await until("the unrung change", () => stream.runs().some((event) => JSON.stringify(event.data).includes(quiet)), 5_000);
    await stream.close();
    await patient.close();

    // A change whose id is below one already read (its transaction committed later): its ring brings it.
    const rung = open();
    await until("ready", () => rung.events.some((event) => event.event === "ready"));
    const sql = t.database.sql("test: a late commit");
    const { rows } = await sql.query<{ id: string }>(`SELECT setval(pg_get_serial_sequence('"StateTransition"', 'id'), (SELECT max(id) FROM "StateTransition") + 10) AS id`);
    const later = await newRun(demo);
    await transitions.markRunRunning(t.database.system("test"), demo, later);
    await doorbell(DEMO.tenantId);
    await until("the later change", () => rung.runs().some((event) => JSON.stringify(event.data).includes(later)));
    const late = await newRun(demo);
    await sql.query(`UPDATE "WorkflowRun" SET status = 'RUNNING' WHERE id = $1`, [late]);
    await sql.query(`INSERT INTO "StateTransition" (id, "tenantId", entity, "entityId", "fromStatus", "toStatus") VALUES ($1, $2, 'WorkflowRun', $3, 'QUEUED', 'RUNNING')`, [BigInt(rows[0]?.id ?? "0") - 5n, DEMO.tenantId, late]);
    await doorbell(DEMO.tenantId);
    const arrived = await until("the late change", () => rung.runs().find((event) => JSON.stringify(event.data).includes(late)));
    expect(arrived.data.changed).toEqual([{ runId: late, status: "RUNNING" }]);
    await rung.close();
  });

  it("resumes from Last-Event-ID: what changed while away comes first; nothing did: ready", async () => {
    const first = open();
    await until("ready", () => first.events.some((event) => event.event === "ready"));
    const cursor = first.events[0]?.id ?? "";
    await first.close();
    const away = await newRun(demo);
    await transitions.markRunRunning(t.database.system("test"), demo, away);

    const resumed = open({ lastEventId: cursor });
    const missed = await until("the missed change", () => resumed.events[0]);
    expect(missed).toMatchObject({ event: "runs", data: { changed: [{ runId: away, status: "RUNNING" }], created: true } });
    await resumed.close();
    const again = open({ lastEventId: missed.id ?? "" });
    expect(await until("ready", () => again.events[0])).toMatchObject({ event: "ready", id: missed.id });
    await again.close();
  });

  it("answers members only: 401 signed out, 403 for a non-member or an unknown tenant", async () => {
    const signedOut = open({ session: null });
    expect((await signedOut.response).status).toBe(401);
    const outsider = open({ session: await addMember(t.database, null) });
    const refused = await outsider.response;
    expect([refused.status, await refused.json()]).toEqual([403, { error: `You are not a member of tenant '${DEMO.tenantSlug}'.` }]);
    expect((await open({ tenant: "other-events" }).response).status).toBe(403);
    const viewer = open({ session: await addMember(t.database, "VIEWER") });
    expect((await viewer.response).status).toBe(200);
    await viewer.close();
  });
});
