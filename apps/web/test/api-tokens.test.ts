// Personal API tokens (issue #16): apiTokens.create/list/revoke, and a token as the caller of the tRPC API and the
// REST dispatch route — its scopes checked by the procedure chain, expiry, revocation, lastUsedAt once a minute —
// and the CLI's password → token exchange with the sign-in's checks, rate limits and audit rows.
import { randomBytes } from "node:crypto";
import { DEMO, hashPassword, type Role } from "@gantry/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerOfRequest } from "../src/server/api-tokens/request-caller";
import { handlePasswordExchange } from "../src/server/api-tokens/password-exchange";
import type { SessionUser } from "../src/server/auth";
import { handleRepositoryDispatch } from "../src/server/repository-dispatch-rest";
import { appRouter, createCaller } from "../src/server/routers/_app";
import { SignInRateLimiter } from "../src/server/sign-in/rate-limit";
import { createTRPCContext } from "../src/server/trpc";
import { setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;
let now = new Date("2026-12-01T10:00:00Z");
const demo: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const sys = () => t.database.system("test");
const limiterPrefix = `gantry-test-${randomBytes(4).toString("hex")}`;

const sessionCaller = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues, now: () => now }));

/** The caller an HTTP request with this bearer token becomes, as the tRPC route makes it. */
async function tokenCaller(token: string) {
  const request = new Request("http://gantry.test/api/trpc/x", { headers: { authorization: `Bearer ${token}` } });
  return createCaller(createTRPCContext({ ...(await callerOfRequest(request, t.database, now)), database: t.database, redis: t.redis, queues: t.queues, now: () => now }));
}

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const caught: unknown = await promise.then(
    () => new Error("expected the call to be refused"),
    (error: unknown) => error,
  );
  if (caught instanceof TRPCError) return caught;
  throw caught;
}

async function addUser(id: string, role: Role | null, password?: string): Promise<SessionUser> {
  const email = `${id}@example.test`;
  await sys().user.create({ data: { id, email, name: id, ...(password ? { passwordHash: await hashPassword(password) } : {}) } });
  if (role) await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: id, role } });
  return { userId: id, email, name: id };
}

const mint = (session: SessionUser, scopes: ("runs:read" | "runs:write" | "admin")[], expiresInDays: number | null = null) => sessionCaller(session).apiTokens.create({ name: `t-${scopes.join("+")}`, scopes, expiresInDays });

beforeAll(async () => {
  t = await setupWebTest();
});
afterAll(async () => {
  const keys = await t.redis.keys(`${limiterPrefix}:*`);
  if (keys.length) await t.redis.del(...keys);
  await t?.close();
});

describe("apiTokens", () => {
  it("create answers the token once; only its hash is stored; list shows it without the token; each change is audited under the user's tenants", async () => {
    const created = await mint(demo, ["runs:read"], 30);
    expect(created.token).toMatch(/^gat_[A-Za-z0-9_-]{43}$/);
    expect(created.expiresAt).toBe(new Date(now.getTime() + 30 * 86_400_000).toISOString());
    const stored = await sys().apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.tokenHash).not.toContain(created.token.slice(4));
    expect(JSON.stringify(stored)).not.toContain(created.token);
    const listed = await sessionCaller(demo).apiTokens.list();
    expect(listed.find((token) => token.id === created.id)).toEqual({ id: created.id, name: "t-runs:read", scopes: ["runs:read"], createdAt: expect.any(String), expiresAt: created.expiresAt, lastUsedAt: null, revokedAt: null, active: true });
    expect(JSON.stringify(listed)).not.toContain(created.token);
    const revoked = await sessionCaller(demo).apiTokens.revoke({ id: created.id });
    expect(revoked).toEqual({ id: created.id, revokedAt: now.toISOString(), changed: true });
    expect((await sessionCaller(demo).apiTokens.revoke({ id: created.id })).changed).toBe(false);
    const events = await sys().auditEvent.findMany({ where: { targetId: created.id }, orderBy: { id: "asc" } });
    expect(events.map((event) => [event.action, event.tenantId, event.actorId])).toEqual([
      ["api_token.created", DEMO.tenantId, DEMO.userId],
      ["api_token.revoked", DEMO.tenantId, DEMO.userId],
    ]);
    expect(JSON.stringify(events.map((event) => event.data))).not.toContain(created.token);
  });

  it("a user with no tenant gets platform events; nobody revokes or sees another user's token", async () => {
    const loner = await addUser("usr_loner", null);
    const created = await mint(loner, ["runs:read"]);
    expect(await sys().auditEvent.findMany({ where: { targetId: created.id }, select: { tenantId: true, action: true } })).toEqual([{ tenantId: null, action: "api_token.created" }]);
    const error = await refusal(sessionCaller(demo).apiTokens.revoke({ id: created.id }));
    expect(error).toMatchObject({ code: "NOT_FOUND", message: `You have no API token ${created.id}.` });
    expect((await sessionCaller(demo).apiTokens.list()).map((token) => token.id)).not.toContain(created.id);
  });

  it("refuses a bad form with BAD_REQUEST and stores nothing", async () => {
    const before = await sys().apiToken.count();
    expect((await refusal(sessionCaller(demo).apiTokens.create({ name: " ", scopes: ["runs:read"], expiresInDays: null }))).code).toBe("BAD_REQUEST");
    expect((await refusal(sessionCaller(demo).apiTokens.create({ name: "x", scopes: [], expiresInDays: null }))).code).toBe("BAD_REQUEST");
    expect((await refusal(sessionCaller(demo).apiTokens.create({ name: "x", scopes: ["runs:read"], expiresInDays: 0 }))).code).toBe("BAD_REQUEST");
    expect(await sys().apiToken.count()).toBe(before);
  });
});

describe("a bearer token as the caller", () => {
  it("acts as its user: runs:read reads, and may not write", async () => {
    const { token } = await mint(demo, ["runs:read"]);
    const caller = await tokenCaller(token);
    expect((await caller.runs.list({ tenant: DEMO.tenantSlug })).runs).toEqual([]);
    expect(await caller.tenants.list()).toEqual([expect.objectContaining({ slug: DEMO.tenantSlug, role: "ADMIN" })]);
    const error = await refusal(caller.runs.cancel({ tenant: DEMO.tenantSlug, runId: "run_x" }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe("This API token lacks the runs:write scope, which runs.cancel (a mutation) needs (it has runs:read).");
  });

  it("runs:write reaches developer mutations but not admin procedures; admin reaches them; the user's role still decides", async () => {
    const writer = await tokenCaller((await mint(demo, ["runs:write"])).token);
    // Past the scope check, the procedure itself answers (the run does not exist).
    expect((await refusal(writer.runs.cancel({ tenant: DEMO.tenantSlug, runId: "run_missing" }))).code).toBe("NOT_FOUND");
    const adminOnly = await refusal(writer.secrets.delete({ tenant: DEMO.tenantSlug, scope: { kind: "tenant" }, name: "NOPE" }));
    expect(adminOnly).toMatchObject({ code: "FORBIDDEN", message: "This API token lacks the admin scope, which secrets.delete (an admin procedure) needs (it has runs:write)." });
    const admin = await tokenCaller((await mint(demo, ["admin"])).token);
    expect((await admin.runs.list({ tenant: DEMO.tenantSlug })).runs).toEqual([]);
    expect((await refusal(admin.secrets.delete({ tenant: DEMO.tenantSlug, scope: { kind: "tenant" }, name: "NOPE" }))).code).not.toBe("FORBIDDEN");
    // A viewer's admin-scoped token is still a viewer.
    const viewer = await addUser("usr_token_viewer", "VIEWER");
    const viewerAdmin = await tokenCaller((await mint(viewer, ["admin"])).token);
    expect(await refusal(viewerAdmin.runs.cancel({ tenant: DEMO.tenantSlug, runId: "run_x" }))).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("needs the developer role") });
  });

  it("refuses unknown, malformed, revoked and expired tokens with UNAUTHORIZED saying why", async () => {
    const unknown = await refusal((await tokenCaller(`gat_${"A".repeat(43)}`)).runs.list({ tenant: DEMO.tenantSlug }));
    expect(unknown).toMatchObject({ code: "UNAUTHORIZED", message: "Unknown API token: it was never issued here or its user was deleted." });
    expect(await refusal((await tokenCaller("not-a-token")).tenants.list())).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("not a Gantry API token") });
    const revoked = await mint(demo, ["admin"]);
    await sessionCaller(demo).apiTokens.revoke({ id: revoked.id });
    expect(await refusal((await tokenCaller(revoked.token)).tenants.list())).toMatchObject({ code: "UNAUTHORIZED", message: `This API token was revoked at ${now.toISOString()}.` });
    const expiring = await mint(demo, ["admin"], 1);
    expect(await (await tokenCaller(expiring.token)).tenants.list()).toHaveLength(1);
    const saved = now;
    now = new Date(now.getTime() + 86_400_000);
    try {
      expect(await refusal((await tokenCaller(expiring.token)).tenants.list())).toMatchObject({ code: "UNAUTHORIZED", message: `This API token expired at ${expiring.expiresAt}.` });
    } finally {
      now = saved;
    }
  });

  it("notes lastUsedAt at most once a minute", async () => {
    const { id, token } = await mint(demo, ["runs:read"]);
    const lastUsed = async () => (await sys().apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt?.toISOString() ?? null;
    const saved = now;
    try {
      await (await tokenCaller(token)).tenants.list();
      expect(await lastUsed()).toBe(saved.toISOString());
      now = new Date(saved.getTime() + 59_000);
      await (await tokenCaller(token)).tenants.list();
      expect(await lastUsed()).toBe(saved.toISOString());
      now = new Date(saved.getTime() + 61_000);
      await (await tokenCaller(token)).tenants.list();
      expect(await lastUsed()).toBe(now.toISOString());
    } finally {
      now = saved;
    }
  });

  it("a token manages tokens only with admin, and never mints a wider or longer-lived one", async () => {
    const writer = await tokenCaller((await mint(demo, ["runs:write"])).token);
    expect(await refusal(writer.apiTokens.create({ name: "more", scopes: ["runs:write"], expiresInDays: null }))).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("lacks the admin scope") });
    expect((await refusal(writer.apiTokens.list())).code).toBe("FORBIDDEN");
    const parent = await mint(demo, ["admin"], 7);
    const admin = await tokenCaller(parent.token);
    const child = await admin.apiTokens.create({ name: "child", scopes: ["runs:read"], expiresInDays: null });
    expect(child.expiresAt).toBe(parent.expiresAt);
    const readerParent = await tokenCaller((await mint(demo, ["admin"], 7)).token);
    expect((await readerParent.apiTokens.list()).length).toBeGreaterThan(0);
    expect(await sys().auditEvent.findFirst({ where: { targetId: child.id } })).toMatchObject({ action: "api_token.created", data: expect.objectContaining({ via: "token" }) });
  });

  it("answers over the tRPC HTTP wire format: GET for queries with ?input=, 401 for a bad token", async () => {
    const { token } = await mint(demo, ["runs:read"]);
    const call = (path: string, bearer: string) =>
      fetchRequestHandler({
        endpoint: "/api/trpc",
        req: new Request(`http://gantry.test/api/trpc/${path}`, { headers: { authorization: `Bearer ${bearer}` } }),
        router: appRouter,
        createContext: async ({ req }) => createTRPCContext({ ...(await callerOfRequest(req, t.database, now)), database: t.database, redis: t.redis, queues: t.queues, now: () => now }),
      });
    const ok = await call(`runs.list?input=${encodeURIComponent(JSON.stringify({ tenant: DEMO.tenantSlug }))}`, token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ result: { data: { runs: [], nextCursor: null } } });
    // The run list's counts and a filtered page are queries too: runs:read is enough.
    const counts = await call(`runs.counts?input=${encodeURIComponent(JSON.stringify({ tenant: DEMO.tenantSlug, status: "FAILED" }))}`, token);
    expect(counts.status).toBe(200);
    expect(await counts.json()).toMatchObject({ result: { data: { total: 0, byStatus: { FAILED: 0, SUCCEEDED: 0 } } } });
    const filtered = await call(`runs.list?input=${encodeURIComponent(JSON.stringify({ tenant: DEMO.tenantSlug, branch: "main", event: "push", actor: "demo", workflow: "ci", text: "#1", limit: 5 }))}`, token);
    expect(filtered.status).toBe(200);
    const bad = await call("tenants.list", `gat_${"B".repeat(43)}`);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { message: "Unknown API token: it was never issued here or its user was deleted.", data: { code: "UNAUTHORIZED" } } });
  });
});

describe("POST /api/repos/{owner}/{repo}/dispatches with a token", () => {
  const post = async (bearer: string) => {
    const fullName = (await sys().repository.findUniqueOrThrow({ where: { id: DEMO.repositoryId } })).fullName;
    const [owner = "", repo = ""] = fullName.split("/");
    const request = new Request(`http://gantry.test/api/repos/${fullName}/dispatches`, { method: "POST", body: JSON.stringify({ event_type: "deploy" }), headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" } });
    return handleRepositoryDispatch(request, { owner, repo }, { ...(await callerOfRequest(request, t.database, now)), database: t.database, redis: t.redis, queues: t.queues });
  };

  it("runs:write dispatches (204); runs:read is 403; a revoked token is 401 with the reason", async () => {
    expect((await post((await mint(demo, ["runs:write"])).token)).status).toBe(204);
    const reader = await post((await mint(demo, ["runs:read"])).token);
    expect(reader.status).toBe(403);
    expect(await reader.json()).toEqual({ message: expect.stringContaining("lacks the runs:write scope") });
    const revoked = await mint(demo, ["runs:write"]);
    await sessionCaller(demo).apiTokens.revoke({ id: revoked.id });
    const refused = await post(revoked.token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ message: expect.stringContaining("was revoked") });
  });
});

describe("POST /api/cli/token (password → token)", () => {
  const limiter = () => new SignInRateLimiter(t.redis, limiterPrefix, { maxFailuresPerAccount: 3, maxFailuresPerIp: 20, windowSeconds: 900 });
  const exchange = (body: object, ip: string) => handlePasswordExchange(new Request("http://gantry.test/api/cli/token", { method: "POST", body: JSON.stringify(body) }), { database: t.database, limiter: limiter(), ip, now: () => now });
  const request = { name: "gantry CLI on laptop", scopes: ["runs:read", "runs:write"], expiresInDays: 90 };

  it("answers a working token for the right password, audited as a sign-in and a token creation", async () => {
    const user = await addUser("usr_cli", "DEVELOPER", "cli-pass-1");
    const answer = await exchange({ ...request, email: user.email, password: "cli-pass-1" }, "192.0.2.10");
    expect(answer.status).toBe(201);
    const body = (await answer.json()) as { token: string; id: string; scopes: string[] };
    expect(body).toMatchObject({ name: "gantry CLI on laptop", scopes: ["runs:read", "runs:write"], user: { email: user.email } });
    expect(await (await tokenCaller(body.token)).tenants.list()).toEqual([expect.objectContaining({ slug: DEMO.tenantSlug, role: "DEVELOPER" })]);
    const events = await sys().auditEvent.findMany({ where: { ip: "192.0.2.10" }, orderBy: { id: "asc" } });
    expect(events.map((event) => event.action)).toEqual(["auth.sign_in.succeeded", "api_token.created"]);
    expect(events[1]?.data).toMatchObject({ via: "password" });
  });

  it("a wrong password is 401 and audited; after the limit even the right one is 429 without a token", async () => {
    await addUser("usr_cli2", "DEVELOPER", "right-pass");
    const ip = "192.0.2.20";
    const before = await sys().apiToken.count();
    for (let n = 0; n < 3; n++) {
      const wrong = await exchange({ ...request, email: "usr_cli2@example.test", password: `wrong-${n}` }, ip);
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ message: "Wrong email or password (or the account signs in with GitHub only)." });
    }
    const limited = await exchange({ ...request, email: "usr_cli2@example.test", password: "right-pass" }, ip);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ message: expect.stringMatching(/^Too many failed sign-ins for this account/) });
    expect(await sys().apiToken.count()).toBe(before);
    expect(await sys().auditEvent.count({ where: { ip, action: "auth.sign_in.failed" } })).toBe(3);
    expect(await sys().auditEvent.count({ where: { ip, action: "auth.sign_in.rate_limited" } })).toBe(1);
  });

  it("a malformed request is 400 naming the field", async () => {
    const answer = await exchange({ ...request, scopes: ["everything"], email: "x@example.test", password: "p" }, "192.0.2.30");
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ message: expect.stringContaining("scopes.0:") });
  });
});
