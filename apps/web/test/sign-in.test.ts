// Issue #13 items 6a, 6b and 10 through next-auth's own entry: the credentials provider's authorize(credentials, req),
// as next-auth calls it. Rate limits per account+address and per address (Redis), re-hashing of older password hashes,
// and the audit events every attempt leaves.
import { randomBytes, scryptSync } from "node:crypto";
import { DEMO, hashPassword, verifyPassword } from "@gantry/db";
import type { NextAuthOptions } from "next-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWebEnv } from "../src/env";
import { buildAuthOptions } from "../src/server/auth";
import { setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;
let authorize: (credentials: Record<string, string> | undefined, ip: string) => Promise<unknown>;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  t = await setupWebTest();
  await t.database.system("test").user.create({ data: { id: "usr_other", email: "other@example.test", name: "Other", passwordHash: await hashPassword("other-pass") } });
  const env = parseWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix, GANTRY_SIGNIN_MAX_FAILURES_PER_IP: "12" });
  const options: NextAuthOptions = buildAuthOptions(env, t.database, t.redis);
  const provider = options.providers.find((candidate) => candidate.id === "credentials");
  const credentialsOptions: unknown = provider && "options" in provider ? provider.options : undefined;
  const call = (credentialsOptions as { authorize?: (credentials: unknown, req: unknown) => Promise<unknown> } | undefined)?.authorize;
  if (!call) throw new Error("no credentials authorize");
  authorize = (credentials, ip) => call(credentials, { headers: { "x-gantry-peer-ip": ip }, body: credentials, query: {}, method: "POST" });
});
afterAll(async () => {
  const keys = await t.redis.keys(`${prefix}:*`);
  if (keys.length) await t.redis.del(...keys);
  await t?.close();
});

const demo = (password: string) => ({ email: DEMO.email, password });
const audit = (where: Record<string, unknown>) => t.database.system("test").auditEvent.findMany({ where, orderBy: { id: "asc" } });

describe("sign-in rate limits", () => {
  it("after 5 failures for one account from one address, refuses even the right password without checking it, with a clear message", async () => {
    const ip = "198.51.100.10";
    for (let n = 0; n < 5; n++) expect(await authorize(demo(`wrong-${n}`), ip)).toBeNull();
    await expect(authorize(demo(DEMO.password), ip)).rejects.toThrow(/^Too many failed sign-ins for this account from your address\. Try again in 1[45] minutes\.$/);
    expect(await audit({ action: "auth.sign_in.rate_limited", ip })).toEqual([expect.objectContaining({ tenantId: DEMO.tenantId, data: expect.objectContaining({ email: DEMO.email, scope: "account" }) })]);
    // Only that address: the account still signs in from elsewhere.
    expect(await authorize(demo(DEMO.password), "198.51.100.11")).toMatchObject({ id: DEMO.userId });
  });

  it("a success clears the account's count", async () => {
    const ip = "198.51.100.20";
    for (let n = 0; n < 4; n++) expect(await authorize(demo("wrong"), ip)).toBeNull();
    expect(await authorize(demo(DEMO.password), ip)).toMatchObject({ id: DEMO.userId });
    for (let n = 0; n < 4; n++) expect(await authorize(demo("wrong"), ip)).toBeNull();
    expect(await authorize(demo(DEMO.password), ip)).toMatchObject({ id: DEMO.userId });
  });

  it("an address has a larger budget across accounts (password spraying)", async () => {
    const ip = "198.51.100.30";
    for (let n = 0; n < 12; n++) expect(await authorize({ email: `user${n}@example.test`, password: "Summer2026!" }, ip)).toBeNull();
    await expect(authorize({ email: "other@example.test", password: "other-pass" }, ip)).rejects.toThrow(/^Too many failed sign-ins from your address\./);
  });
});

describe("sign-in audit", () => {
  it("records success and failure with the email tried and the address, under each of the account's tenants; an unknown email is a platform event", async () => {
    const ip = "203.0.113.40";
    await authorize(demo(DEMO.password), ip);
    await authorize(demo("nope"), ip);
    await authorize({ email: "ghost@example.test", password: "boo" }, ip);
    const events = await audit({ ip });
    expect(events.map((event) => [event.action, event.tenantId, (event.data as { email?: string }).email, (event.data as { reason?: string }).reason ?? null])).toEqual([
      ["auth.sign_in.succeeded", DEMO.tenantId, DEMO.email, null],
      ["auth.sign_in.failed", DEMO.tenantId, DEMO.email, "wrong_password"],
      ["auth.sign_in.failed", null, "ghost@example.test", "unknown_account"],
    ]);
    expect(events[0]).toMatchObject({ actorKind: "USER", actorId: DEMO.userId, targetType: "User", targetId: DEMO.userId });
    // The password tried is never recorded.
    expect(JSON.stringify(events.map((event) => event.data))).not.toContain("nope");
  });
});

describe("password hashes on sign-in", () => {
  it("an older hash signs in and is replaced by one with today's parameters", async () => {
    const salt = randomBytes(16);
    const legacy = `scrypt$${salt.toString("base64url")}$${scryptSync("legacy-pass", salt, 32).toString("base64url")}`;
    await t.database.system("test").user.create({ data: { id: "usr_legacy", email: "legacy@example.test", name: "Legacy", passwordHash: legacy } });
    expect(await authorize({ email: "legacy@example.test", password: "legacy-pass" }, "203.0.113.50")).toMatchObject({ id: "usr_legacy" });
    const stored = (await t.database.system("test").user.findUniqueOrThrow({ where: { id: "usr_legacy" } })).passwordHash ?? "";
    expect(stored).toMatch(/^scrypt\$ln=17,r=8,p=1\$/);
    expect(await verifyPassword("legacy-pass", stored)).toBe(true);
    expect(await audit({ action: "auth.password.rehashed", targetId: "usr_legacy" })).toHaveLength(1);
  });
});
