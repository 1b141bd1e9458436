import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, parseMasterKey, secretStore, SecretError, type Database, type TenantContext } from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";
import { seedTenant } from "./fixtures";

let testDb: TestDatabase;
let db: Database;
let acme: TenantContext;
let globex: TenantContext;
const master = randomBytes(32);

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

const store = (ctx: TenantContext, key = master) => secretStore(db.forTenant(ctx), ctx, key);

describe("secrets at rest", () => {
  it("round-trip, and the database holds no clear text", async () => {
    const value = "hunter2-\u00e9-multi\nline";
    await store(acme).put("tenant", "DEPLOY_TOKEN", value);
    expect(await store(acme).reveal("tenant", "DEPLOY_TOKEN")).toBe(value);
    const row = await db.system("test").secret.findFirstOrThrow({ where: { tenantId: acme.tenantId } });
    expect(Buffer.from(row.ciphertext).includes(Buffer.from("hunter2"))).toBe(false);
    const dump = JSON.stringify(await db.system("test").$queryRaw`SELECT * FROM "Secret"`, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    expect(dump).not.toContain("hunter2");
    const key = await db.system("test").tenantDataKey.findFirstOrThrow({ where: { tenantId: acme.tenantId } });
    expect(Buffer.from(key.wrappedKey)).toHaveLength(60);
  });

  it("overwrites in place and lists names only", async () => {
    await store(acme).put("repo:r1", "A", "1");
    await store(acme).put("repo:r1", "A", "2");
    await store(acme).put("repo:r1", "B", "3");
    expect(await store(acme).names("repo:r1")).toEqual(["A", "B"]);
    expect(await store(acme).reveal("repo:r1", "A")).toBe("2");
    expect(await store(acme).remove("repo:r1", "B")).toBe(true);
    expect(await store(acme).reveal("repo:r1", "B")).toBeNull();
  });

  it("each tenant has its own data key and sees only its own secrets", async () => {
    await store(globex).put("tenant", "DEPLOY_TOKEN", "globex-value");
    expect(await store(acme).reveal("tenant", "DEPLOY_TOKEN")).not.toBe("globex-value");
    const keys = await db.system("test").tenantDataKey.findMany();
    expect(new Set(keys.map((k) => k.tenantId)).size).toBe(keys.length);
  });

  it("a ciphertext moved to another name does not decrypt", async () => {
    await store(acme).put("tenant", "MOVED", "x");
    const sys = db.system("test");
    const original = await sys.secret.findFirstOrThrow({ where: { tenantId: acme.tenantId, scope: "tenant", name: "DEPLOY_TOKEN" } });
    await sys.secret.updateMany({
      where: { tenantId: acme.tenantId, scope: "tenant", name: "MOVED" },
      data: { iv: original.iv, ciphertext: original.ciphertext, authTag: original.authTag },
    });
    await expect(store(acme).reveal("tenant", "MOVED")).rejects.toThrow(SecretError);
  });

  it("the wrong master key cannot read anything", async () => {
    await expect(store(acme, randomBytes(32)).reveal("tenant", "DEPLOY_TOKEN")).rejects.toThrow(/did not authenticate/);
  });

  it("rejects bad names and bad master keys", async () => {
    await expect(store(acme).put("tenant", "1BAD", "x")).rejects.toThrow(SecretError);
    await expect(store(acme).put("tenant", "GITHUB_TOKEN", "x")).rejects.toThrow(/GITHUB_/);
    expect(() => parseMasterKey("c2hvcnQ=")).toThrow(/32 random bytes/);
    expect(parseMasterKey(master.toString("base64"))).toEqual(master);
  });
});

describe("sealed values kept in other tables", () => {
  it("round-trip under their purpose and fail under another purpose or tenant", async () => {
    const sealed = await store(acme).sealValue("git-source:src1", "notify-secret");
    expect(Buffer.from(sealed).includes(Buffer.from("notify-secret"))).toBe(false);
    expect(await store(acme).openValue("git-source:src1", sealed)).toBe("notify-secret");
    await expect(store(acme).openValue("git-source:src2", sealed)).rejects.toThrow(SecretError);
    await expect(store(globex).openValue("git-source:src1", sealed)).rejects.toThrow(SecretError);
  });
});
