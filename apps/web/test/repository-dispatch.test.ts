// repository_dispatch through Gantry's API: the tRPC procedure (developer role and above) and GitHub's REST shape
// (POST /api/repos/{owner}/{repo}/dispatches, 204) record one `gantry` delivery in GitHub's payload shape and queue
// its intake; a viewer, a stranger, an unknown repository and a bad body are refused and record nothing.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { handleRepositoryDispatch } from "../src/server/repository-dispatch-rest";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;
const developer: SessionUser = { userId: "usr_rdev", email: "rdev@gantry.local", name: "Dev" };
const viewer: SessionUser = { userId: "usr_rview", email: "rview@gantry.local", name: "Viewer" };
const stranger: SessionUser = { userId: "usr_rstranger", email: "stranger@gantry.local", name: "Stranger" };
const callerFor = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));
const sys = () => t.database.system("test");
const dispatches = () => sys().webhookDelivery.findMany({ where: { source: "gantry", event: "repository_dispatch" }, orderBy: { receivedAt: "asc" } });
let fullName = "";

beforeAll(async () => {
  t = await setupWebTest();
  fullName = (await sys().repository.findUniqueOrThrow({ where: { id: DEMO.repositoryId } })).fullName;
  for (const [user, role] of [[developer, "DEVELOPER"], [viewer, "VIEWER"]] as const) {
    await sys().user.create({ data: { id: user.userId, email: user.email, name: user.name } });
    await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: user.userId, role } });
  }
  await sys().user.create({ data: { id: stranger.userId, email: stranger.email, name: stranger.name } });
});
afterAll(async () => t?.close());

const post = (session: SessionUser | null, body: string, path = fullName, headers: Record<string, string> = {}) => {
  const [owner = "", repo = ""] = path.split("/");
  const request = new Request(`http://gantry.test/api/repos/${owner}/${repo}/dispatches`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return handleRepositoryDispatch(request, { owner, repo }, { session, database: t.database, redis: t.redis, queues: t.queues });
};

describe("runs.repositoryDispatch", () => {
  it("records the event in GitHub's shape and queues its intake; the same idempotency key records it once", async () => {
    const input = { tenant: DEMO.tenantSlug, repositoryId: DEMO.repositoryId, eventType: "deploy", clientPayload: { target: "prod", n: 2 }, idempotencyKey: "rd-key-0001" };
    const first = await callerFor(developer).runs.repositoryDispatch(input);
    const second = await callerFor(developer).runs.repositoryDispatch(input);
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ deliveryId: first.deliveryId, duplicate: true });
    const [stored, ...more] = await dispatches();
    expect(more).toEqual([]);
    expect(stored).toMatchObject({ id: first.deliveryId, action: "deploy", tenantId: DEMO.tenantId, repositoryId: DEMO.repositoryId, status: "RECEIVED" });
    expect(stored?.payload).toMatchObject({ action: "deploy", client_payload: { target: "prod", n: 2 }, repository: { full_name: fullName }, sender: { login: developer.email } });
    expect(await t.queues.queue("gantry-intake").getJob(`intake-${first.deliveryId}`)).toBeDefined();
    expect(await sys().auditEvent.count({ where: { action: "repository.dispatch", targetId: DEMO.repositoryId } })).toBe(1);
  });

  it("a viewer is FORBIDDEN; a payload of more than 10 top-level properties is refused", async () => {
    const error = await callerFor(viewer)
      .runs.repositoryDispatch({ tenant: DEMO.tenantSlug, repositoryId: DEMO.repositoryId, eventType: "x" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCError);
    expect(error).toMatchObject({ code: "FORBIDDEN" });
    const big = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
    await expect(callerFor(developer).runs.repositoryDispatch({ tenant: DEMO.tenantSlug, repositoryId: DEMO.repositoryId, eventType: "x", clientPayload: big })).rejects.toThrow(/at most 10/);
    expect(await dispatches()).toHaveLength(1);
  });
});

describe("POST /api/repos/{owner}/{repo}/dispatches", () => {
  it("answers 204 and records the dispatch, as GitHub's endpoint does", async () => {
    const response = await post(developer, JSON.stringify({ event_type: "rest-deploy", client_payload: { ref: "v1" } }), fullName, { "idempotency-key": "rest-key-0001" });
    expect(response.status).toBe(204);
    const stored = (await dispatches()).find((delivery) => delivery.action === "rest-deploy");
    expect(stored?.payload).toMatchObject({ action: "rest-deploy", client_payload: { ref: "v1" } });
    expect((await post(developer, JSON.stringify({ event_type: "rest-deploy", client_payload: { ref: "v1" } }), fullName, { "idempotency-key": "rest-key-0001" })).status).toBe(204);
    expect((await dispatches()).filter((delivery) => delivery.action === "rest-deploy")).toHaveLength(1);
  });

  it("refuses without a session (401), a viewer (403), a stranger or unknown repository (404), a bad body (400/422)", async () => {
    const body = JSON.stringify({ event_type: "nope" });
    expect((await post(null, body)).status).toBe(401);
    expect((await post(viewer, body)).status).toBe(403);
    expect((await post(stranger, body)).status).toBe(404);
    expect((await post(developer, body, "nobody/nothing")).status).toBe(404);
    expect((await post(developer, "{not json")).status).toBe(400);
    const invalid = await post(developer, JSON.stringify({ event_type: "" }));
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({ errors: [{ field: "event_type", message: "event_type must not be empty" }] });
    expect((await post(developer, JSON.stringify({ event_type: "x".repeat(101) }))).status).toBe(422);
    expect((await dispatches()).filter((delivery) => delivery.action === "nope")).toEqual([]);
  });
});
