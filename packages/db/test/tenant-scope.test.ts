import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, TENANT_MODELS, TenantScopeError, type Database, type TenantContext } from "../src/index";
import { REPO_ROOT } from "../src/paths";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";
import { seedJob, seedTenant } from "./fixtures";

let testDb: TestDatabase;
let db: Database;
let acme: TenantContext;
let globex: TenantContext;
let globexRun: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  acme = await seedTenant(db, "acme");
  globex = await seedTenant(db, "globex");
  await seedJob(db, acme);
  globexRun = (await seedJob(db, globex)).runId;
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

describe("tenant-scoped queries", () => {
  it("see only their own tenant's rows", async () => {
    const runs = await db.forTenant(acme).workflowRun.findMany();
    expect(runs).toHaveLength(1);
    expect(runs.every((run) => run.tenantId === acme.tenantId)).toBe(true);
    expect(await db.forTenant(acme).workflowRun.findUnique({ where: { id: globexRun } })).toBeNull();
    expect(await db.forTenant(acme).jobRun.count()).toBe(1);
    expect(await db.forTenant(acme).tenant.findMany()).toEqual([expect.objectContaining({ id: acme.tenantId })]);
  });

  it("cannot update or delete another tenant's rows", async () => {
    const updated = await db.forTenant(acme).workflowRun.updateMany({ where: { id: globexRun }, data: { workflowName: "pwned" } });
    expect(updated.count).toBe(0);
    await expect(db.forTenant(acme).workflowRun.update({ where: { id: globexRun }, data: { workflowName: "pwned" } })).rejects.toThrow();
    await db.forTenant(acme).workflowRun.deleteMany({ where: { id: globexRun } });
    const row = await db.system("test").workflowRun.findUniqueOrThrow({ where: { id: globexRun } });
    expect(row.workflowName).toBe("CI");
  });

  it("refuses a query that names another tenant, before it reaches Postgres", async () => {
    await expect(db.forTenant(acme).workflowRun.findMany({ where: { tenantId: globex.tenantId } })).rejects.toThrow(TenantScopeError);
    await expect(
      db.forTenant(acme).repository.create({ data: { id: "sneaky", tenantId: globex.tenantId, fullName: "globex/sneaky" } }),
    ).rejects.toThrow(TenantScopeError);
    await expect(db.forTenant(acme).tenant.findUnique({ where: { id: globex.tenantId } })).rejects.toThrow(TenantScopeError);
    expect(await db.system("test").repository.findUnique({ where: { id: "sneaky" } })).toBeNull();
  });

  it("refuses models that no tenant owns", async () => {
    await expect(db.forTenant(acme).user.findMany()).rejects.toThrow(TenantScopeError);
    await expect(db.forTenant(acme).runnerPool.findMany()).rejects.toThrow(TenantScopeError);
  });

  it("refuses a context without a tenant", () => {
    expect(() => db.forTenant({ tenantId: "", actor: { kind: "SYSTEM" } })).toThrow(TenantScopeError);
  });

  it("has no raw SQL on the scoped client", () => {
    const scoped: object = db.forTenant(acme);
    // The type omits them; at run time they are still Prisma's, so the type is the guard. Check it stays omitted:
    type HasRaw = "$queryRaw" extends keyof ReturnType<Database["forTenant"]> ? true : false;
    const hasRaw: HasRaw = false;
    expect(hasRaw).toBe(false);
    expect(scoped).toBeTruthy();
  });
});

describe("the ownership table", () => {
  it("matches every model in schema.prisma that has a required tenantId, or one marked tenant-owned", () => {
    const schema = readFileSync(path.join(REPO_ROOT, "prisma/schema.prisma"), "utf8");
    const owned = [...schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)]
      .filter(([, , body]) => /^\s+tenantId\s+(String\s|String\?\s+\/\/ tenant-owned;)/m.test(body ?? ""))
      .map(([, name]) => name);
    expect([...TENANT_MODELS].sort()).toEqual(owned.sort());
  });
});

describe("ping", () => {
  it("answers when Postgres does, and says plainly when it does not", async () => {
    await expect(db.ping()).resolves.toBeUndefined();
    const nowhere = openDatabase("postgresql://postgres@127.0.0.1:1/none");
    await expect(nowhere.ping()).rejects.toThrow(/^Postgres did not answer: Can't reach database server at 127.0.0.1:1 \(is Postgres running/);
    await nowhere.close();
  });
});
