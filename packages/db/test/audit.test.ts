// The audit log (issue #13 item 10): the database itself refuses to change or remove an event, whoever asks; events
// are appended through recordAudit and read per tenant, newest first, a page at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, listAudit, openDatabase, recordAudit, type Database, type TenantContext } from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";
import { seedTenant } from "./fixtures";

let testDb: TestDatabase;
let db: Database;
let acme: TenantContext;
let globex: TenantContext;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  acme = await seedTenant(db, "acme");
  globex = await seedTenant(db, "globex");
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

const event = (tenantId: string | null, n: number) => ({
  tenantId,
  actor: { kind: "USER" as const, id: "usr_1" },
  action: AUDIT_ACTIONS.membershipRoleChanged,
  target: { type: "Membership", id: `m${n}` },
  details: { from: "VIEWER", to: "ADMIN" },
  ip: "203.0.113.7",
});

describe("append-only in the database", () => {
  it("refuses a raw UPDATE, DELETE and TRUNCATE, and a tenant client's update and delete", async () => {
    await recordAudit(db, event(acme.tenantId, 0));
    const sql = db.sql("test: tamper with the audit log");
    await expect(sql.query(`UPDATE "AuditEvent" SET "action" = 'nothing.happened'`)).rejects.toThrow(/AuditEvent is append-only: UPDATE refused/);
    await expect(sql.query(`DELETE FROM "AuditEvent"`)).rejects.toThrow(/AuditEvent is append-only: DELETE refused/);
    await expect(sql.query(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/AuditEvent is append-only: TRUNCATE refused/);
    await expect(db.forTenant(acme).auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(db.forTenant(acme).auditEvent.updateMany({ data: { action: "x" } })).rejects.toThrow(/append-only/);
    expect(await db.forTenant(acme).auditEvent.count({ where: { action: AUDIT_ACTIONS.membershipRoleChanged } })).toBe(1);
  });
});

describe("recordAudit and listAudit", () => {
  it("store every field and page one tenant's events newest first; platform events reach no tenant", async () => {
    for (let n = 1; n <= 5; n++) await recordAudit(db, event(acme.tenantId, n));
    await recordAudit(db, event(globex.tenantId, 99), event(null, 100));
    const scoped = db.forTenant(acme);
    const first = await listAudit(scoped, { limit: 4 });
    expect(first.events.map((e) => e.targetId)).toEqual(["m5", "m4", "m3", "m2"]);
    expect(first.events[0]).toMatchObject({ actorKind: "USER", actorId: "usr_1", action: "membership.role_changed", targetType: "Membership", details: { from: "VIEWER", to: "ADMIN" }, ip: "203.0.113.7" });
    const second = await listAudit(scoped, { limit: 4, cursor: first.nextCursor ?? "" });
    expect(second.events.map((e) => e.targetId)).toEqual(["m1", "m0"]);
    expect(second.nextCursor).toBeNull();
    expect((await listAudit(db.forTenant(globex), { limit: 10 })).events.map((e) => e.targetId)).toEqual(["m99"]);
    expect(await db.system("test").auditEvent.count({ where: { tenantId: null } })).toBe(1);
  });
});
