// Issue #13 item 10 in the web app: audit.list (admins only, cursor paging, one tenant's events) and what the
// runner API records (a registration, with the caller's address).
import { AUDIT_ACTIONS, randomId, recordAudit, type AuditAction } from "@gantry/db";
import { PROTOCOL_VERSION, registerResponse } from "@gantry/runner-protocol";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as registerRoute } from "../src/app/api/runner/v1/register/route";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { closeServices } from "../src/server/services";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const admin: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const caller = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv(t.env);
});
afterAll(async () => {
  await closeServices();
  await t?.close();
});

async function member(role: "VIEWER" | "DEVELOPER" | "MAINTAINER"): Promise<SessionUser> {
  const id = randomId("usr");
  await t.database.system("test").user.create({ data: { id, email: `${id}@example.test`, name: id } });
  await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId: id, role } });
  return { userId: id, email: `${id}@example.test`, name: id };
}

describe("audit.list", () => {
  it("pages an admin through the tenant's events, newest first; another tenant's and platform events never appear", async () => {
    const other = randomId("ten");
    await t.database.system("test").tenant.create({ data: { id: other, slug: "other-co", name: "Other" } });
    const event = (tenantId: string | null, n: number) => ({ tenantId, actor: { kind: "USER" as const, id: DEMO.userId }, action: AUDIT_ACTIONS.membershipRoleChanged, target: { type: "Membership", id: `page-${n}` }, details: { n } });
    for (let n = 0; n < 5; n++) await recordAudit(t.database, event(DEMO.tenantId, n));
    await recordAudit(t.database, event(other, 100), event(null, 101));
    const first = await caller(admin).audit.list({ tenant: DEMO.tenantSlug, limit: 3, action: "membership.role_changed" });
    expect(first.events.map((e) => e.targetId)).toEqual(["page-4", "page-3", "page-2"]);
    expect(first.events[0]).toMatchObject({ actorKind: "USER", actorId: DEMO.userId, action: "membership.role_changed", targetType: "Membership", details: { n: 4 }, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const second = await caller(admin).audit.list({ tenant: DEMO.tenantSlug, limit: 3, action: "membership.role_changed", ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });
    expect(second.events.map((e) => e.targetId)).toEqual(["page-1", "page-0"]);
    expect(second.nextCursor).toBeNull();
  });

  it.each(["VIEWER", "DEVELOPER", "MAINTAINER"] as const)("is FORBIDDEN to a %s, naming the admin role", async (role) => {
    const session = await member(role);
    const refused = await caller(session).audit.list({ tenant: DEMO.tenantSlug }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TRPCError);
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("admin role") });
  });

  it("filters by actor, action (or its prefix), object and time range, paging within the filter", async () => {
    const start = new Date();
    const someone = randomId("usr");
    const at = (tenantId: string, actor: string, action: AuditAction, type: string, id: string) => ({ tenantId, actor: { kind: "USER" as const, id: actor }, action, target: { type, id } });
    await recordAudit(t.database, at(DEMO.tenantId, someone, AUDIT_ACTIONS.invitationCreated, "Invitation", "inv_1"));
    await recordAudit(t.database, at(DEMO.tenantId, someone, AUDIT_ACTIONS.invitationRevoked, "Invitation", "inv_1"));
    await recordAudit(t.database, at(DEMO.tenantId, someone, AUDIT_ACTIONS.variableCreated, "Variable", "tenant/X"));
    await recordAudit(t.database, at(DEMO.tenantId, DEMO.userId, AUDIT_ACTIONS.invitationCreated, "Invitation", "inv_2"));
    const list = (filter: Partial<Parameters<ReturnType<typeof caller>["audit"]["list"]>[0]>) => caller(admin).audit.list({ tenant: DEMO.tenantSlug, since: start.toISOString(), ...filter });
    const ids = async (filter: Parameters<typeof list>[0]) => (await list(filter)).events.map((e) => `${e.action} ${e.targetId}`);
    expect(await ids({ actor: someone })).toEqual(["variable.create tenant/X", "invitation.revoked inv_1", "invitation.created inv_1"]);
    expect(await ids({ action: "invitation." })).toEqual(["invitation.created inv_2", "invitation.revoked inv_1", "invitation.created inv_1"]);
    expect(await ids({ action: "invitation.created", actor: someone })).toEqual(["invitation.created inv_1"]);
    expect(await ids({ targetType: "Invitation", targetId: "inv_1" })).toEqual(["invitation.revoked inv_1", "invitation.created inv_1"]);
    expect(await ids({ since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect(await ids({ since: new Date(start.getTime() - 60_000).toISOString(), until: start.toISOString(), action: "invitation." })).toEqual([]);
    const first = await list({ action: "invitation.", limit: 2 });
    expect(first.nextCursor).not.toBeNull();
    const second = await list({ action: "invitation.", limit: 2, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });
    expect(second.events.map((e) => e.targetId)).toEqual(["inv_1"]);
    expect(second.nextCursor).toBeNull();
    await expect(list({ targetId: "inv_1" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("object's type") });
    await expect(list({ since: "yesterday" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(list({ until: new Date(start.getTime() - 1000).toISOString() })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("before its end") });
  });

  it("refuses a cursor that is not an event id", async () => {
    await expect(caller(admin).audit.list({ tenant: DEMO.tenantSlug, cursor: "1 OR 1=1" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("recorded by the runner API", () => {
  it("a runner registration, with the pool, the runner and the caller's address", async () => {
    const response = await registerRoute(
      new Request("http://127.0.0.1/api/runner/v1/register", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${t.registrationToken}`, "x-gantry-peer-ip": "192.0.2.77" },
        body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, name: "audited-runner", version: "0.1.0", providers: ["process"], capacity: 2 }),
      }),
    );
    expect(response.status).toBe(200);
    const { runnerId } = registerResponse.parse(await response.json());
    expect(await t.database.system("test").auditEvent.findMany({ where: { action: "runner.registered", targetId: runnerId } })).toEqual([
      expect.objectContaining({ actorKind: "RUNNER", actorId: runnerId, targetType: "Runner", ip: "192.0.2.77", data: expect.objectContaining({ pool: DEMO.poolName, name: "audited-runner", firstTime: true }) }),
    ]);
  });
});
