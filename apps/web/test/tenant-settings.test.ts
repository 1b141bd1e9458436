// Tenant settings (issue #16): fork pull request policy, default workflow permissions, concurrency cap, rate limit,
// and the priority class only when the operator lets tenant admins set it. Each change is one audit entry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, setupWebTest, type WebTestContext } from "./support";
import { auditOf, callerFor, member, rejection } from "./trpc-support";

let t: WebTestContext;
let admin: SessionUser;
const tenant = DEMO.tenantSlug;

beforeAll(async () => {
  t = await setupWebTest();
  admin = await member(t, "ADMIN");
});
afterAll(async () => {
  await t?.close();
});

describe("tenants.updateSettings", () => {
  it("stores the fork policy, token default, cap and rate limit, and audits exactly what was given", async () => {
    const saved = await callerFor(t, admin).tenants.updateSettings({ tenant, forkPullRequests: "APPROVE_FIRST_TIME", defaultTokenPermissions: "WRITE", maxConcurrentJobs: 7, rateLimit: { perSecond: 0.5, burst: 3 } });
    expect(saved).toMatchObject({ forkPullRequests: "APPROVE_FIRST_TIME", defaultTokenPermissions: "WRITE", maxConcurrentJobs: 7, rateLimit: { perSecond: 0.5, burst: 3 } });
    const row = await t.database.system("test").tenant.findUniqueOrThrow({ where: { id: DEMO.tenantId } });
    expect([row.forkPullRequests, row.defaultTokenPermissions, row.maxConcurrentJobs, row.rateLimitPerSec, row.rateLimitBurst]).toEqual(["APPROVE_FIRST_TIME", "WRITE", 7, 0.5, 3]);
    expect((await auditOf(t, "tenant.settings.update")).at(-1)?.data).toEqual({ forkPullRequests: "APPROVE_FIRST_TIME", defaultTokenPermissions: "WRITE", maxConcurrentJobs: 7, rateLimit: { perSecond: 0.5, burst: 3 } });
    await callerFor(t, admin).tenants.updateSettings({ tenant, rateLimit: null });
    expect((await callerFor(t, admin).tenants.settings({ tenant })).rateLimit).toBeNull();
  });

  it("refuses bad values at their field, and an empty change, writing nothing", async () => {
    const before = await auditOf(t, "tenant.settings.update");
    const bad: [Record<string, unknown>, string][] = [
      [{ forkPullRequests: "SOMETIMES" }, "forkPullRequests"],
      [{ defaultTokenPermissions: "ADMIN" }, "defaultTokenPermissions"],
      [{ maxConcurrentJobs: 0 }, "maxConcurrentJobs"],
      [{ rateLimit: { perSecond: 0, burst: 1 } }, "rateLimit"],
    ];
    for (const [input, field] of bad) {
      const refused = await rejection(callerFor(t, admin).tenants.updateSettings({ tenant, ...input } as never));
      expect(refused.code).toBe("BAD_REQUEST");
      expect(((refused.cause as { issues?: { path: unknown[] }[] }).issues ?? []).map((issue) => issue.path[0])).toContain(field);
    }
    expect((await rejection(callerFor(t, admin).tenants.updateSettings({ tenant }))).message).toContain("give at least one setting");
    expect(await auditOf(t, "tenant.settings.update")).toHaveLength(before.length);
  });

  it("the priority class is the operator's unless GANTRY_TENANT_ADMINS_SET_PRIORITY lets admins set it", async () => {
    const refused = await rejection(callerFor(t, admin).tenants.updateSettings({ tenant, schedulingWeight: 5 }));
    expect([refused.code, refused.message]).toEqual(["FORBIDDEN", expect.stringContaining("GANTRY_TENANT_ADMINS_SET_PRIORITY")]);
    expect((await callerFor(t, admin).tenants.settings({ tenant })).canSetPriority).toBe(false);
    const allowed = createCaller(createTRPCContext({ session: admin, database: t.database, redis: t.redis, queues: t.queues, tenantAdminsSetPriority: true }));
    expect((await allowed.tenants.settings({ tenant })).canSetPriority).toBe(true);
    expect((await allowed.tenants.updateSettings({ tenant, schedulingWeight: 5 })).schedulingWeight).toBe(5);
  });

  it("refuses every role below admin and outsiders", async () => {
    for (const role of ["VIEWER", "DEVELOPER", "MAINTAINER"] as const) {
      const someone = callerFor(t, await member(t, role));
      expect((await rejection(someone.tenants.updateSettings({ tenant, defaultTokenPermissions: "WRITE" }))).code).toBe("FORBIDDEN");
      expect((await someone.tenants.settings({ tenant })).canManage).toBe(false);
    }
    const outsider = { userId: "usr_outsider", email: "outsider@example.test", name: "outsider" };
    expect((await rejection(callerFor(t, outsider).tenants.settings({ tenant }))).code).toBe("FORBIDDEN");
  });
});
