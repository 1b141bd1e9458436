// Members and invitations through the tRPC procedures against a real database: inviting, accepting by link (the
// right user only, while open), revoking, role changes and removals, and the last-admin rule under concurrency.
import { randomBytes } from "node:crypto";
import { randomId, type Role } from "@gantry/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { addMember, DEMO, rejection, setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;
let now = new Date();
const admin: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const caller = (session: SessionUser | null) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues, now: () => now }));

async function addTenant(): Promise<string> {
  const slug = `t-${randomBytes(4).toString("hex")}`;
  await t.database.system("test").tenant.create({ data: { id: randomId("ten"), slug, name: slug } });
  return slug;
}

async function addUser(options: { githubLogin?: string; tenant?: string; role?: Role } = {}): Promise<SessionUser> {
  const tenantId = options.tenant ? (await t.database.system("test").tenant.findUniqueOrThrow({ where: { slug: options.tenant } })).id : undefined;
  return addMember(t.database, options.role ?? null, { ...(tenantId ? { tenantId } : {}), ...(options.githubLogin ? { githubLogin: options.githubLogin } : {}) });
}

const auditOf = (action: string) => t.database.system("test").auditEvent.findMany({ where: { action }, orderBy: { id: "asc" } });

beforeAll(async () => {
  t = await setupWebTest();
});
afterAll(async () => {
  await t?.close();
});

describe("invitations", () => {
  it("an admin invites by email; the invitee accepts the link once and joins with the role", async () => {
    now = new Date();
    const invitee = await addUser();
    const invited = await caller(admin).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "email", email: invitee.email.toUpperCase() }, role: "DEVELOPER" });
    expect(invited.path).toBe(`/invite/${invited.token}`);
    // Only the hash is stored.
    const row = await t.database.system("test").invitation.findUniqueOrThrow({ where: { id: invited.id } });
    expect(row.tokenHash).not.toContain(invited.token);
    expect(row.email).toBe(invitee.email);
    expect(row.expiresAt.getTime() - now.getTime()).toBe(7 * 24 * 60 * 60 * 1000);
    const open = await caller(admin).members.invitations({ tenant: DEMO.tenantSlug });
    expect(open.map((invitation) => invitation.id)).toContain(invited.id);
    expect(JSON.stringify(open)).not.toContain(invited.token);

    const offer = await caller(invitee).invitations.get({ token: invited.token });
    expect(offer).toMatchObject({ tenant: { slug: DEMO.tenantSlug }, role: "DEVELOPER", state: "open", canAccept: true, reason: null });
    expect(await caller(invitee).invitations.accept({ token: invited.token })).toEqual({ tenant: DEMO.tenantSlug, role: "DEVELOPER" });
    const members = await caller(invitee).members.list({ tenant: DEMO.tenantSlug });
    expect(members.members.find((member) => member.userId === invitee.userId)?.role).toBe("DEVELOPER");
    expect(members.canManage).toBe(false);

    const again = await rejection(caller(invitee).invitations.accept({ token: invited.token }));
    expect(again.code).toBe("PRECONDITION_FAILED");
    expect(again.message).toMatch(/accepted/);
    expect((await caller(invitee).invitations.get({ token: invited.token })).state).toBe("accepted");
    expect((await auditOf("invitation.created")).filter((event) => event.targetId === invited.id)).toHaveLength(1);
    expect((await auditOf("invitation.accepted")).filter((event) => event.targetId === `${DEMO.tenantId}/${invitee.userId}`)).toHaveLength(1);
  });

  it("refuses the wrong user, changing nothing, and says who the link is for", async () => {
    now = new Date();
    const login = `Octo-${randomBytes(3).toString("hex")}`;
    const invitee = await addUser({ githubLogin: login });
    const stranger = await addUser();
    const invited = await caller(admin).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "github", githubLogin: login.toLowerCase() }, role: "MAINTAINER" });
    const offer = await caller(stranger).invitations.get({ token: invited.token });
    expect(offer.canAccept).toBe(false);
    expect(offer.reason).toMatch(/GitHub user @octo-/);
    const refused = await rejection(caller(stranger).invitations.accept({ token: invited.token }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(await t.database.system("test").membership.findFirst({ where: { userId: stranger.userId } })).toBeNull();
    // The GitHub login matches without case.
    expect((await caller(invitee).invitations.accept({ token: invited.token })).role).toBe("MAINTAINER");
  });

  it("refuses an expired or a revoked invitation, and an unknown or malformed token", async () => {
    now = new Date();
    const late = await addUser();
    const expiring = await caller(admin).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "email", email: late.email }, role: "VIEWER" });
    now = new Date(now.getTime() + 7 * 24 * 60 * 60 * 1000 + 1);
    expect((await caller(late).invitations.get({ token: expiring.token })).state).toBe("expired");
    expect((await rejection(caller(late).invitations.accept({ token: expiring.token }))).message).toMatch(/expired/);
    // An expired invitation no longer blocks a new one.
    const fresh = await caller(admin).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "email", email: late.email }, role: "VIEWER" });
    expect((await rejection(caller(admin).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "email", email: late.email }, role: "ADMIN" }))).code).toBe("CONFLICT");
    await caller(admin).members.revokeInvitation({ tenant: DEMO.tenantSlug, invitationId: fresh.id });
    expect((await rejection(caller(late).invitations.accept({ token: fresh.token }))).message).toMatch(/revoked/);
    expect((await rejection(caller(admin).members.revokeInvitation({ tenant: DEMO.tenantSlug, invitationId: fresh.id }))).code).toBe("NOT_FOUND");
    expect(await t.database.system("test").membership.findFirst({ where: { userId: late.userId } })).toBeNull();
    expect((await rejection(caller(late).invitations.get({ token: `ginv_${"A".repeat(43)}` }))).code).toBe("NOT_FOUND");
    expect((await rejection(caller(late).invitations.get({ token: "not-a-token" }))).code).toBe("BAD_REQUEST");
    expect((await rejection(caller(null).invitations.accept({ token: fresh.token }))).code).toBe("UNAUTHORIZED");
  });

  it("refuses to invite a member, or a malformed address", async () => {
    now = new Date();
    expect((await rejection(caller(admin).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "email", email: DEMO.email }, role: "VIEWER" }))).code).toBe("CONFLICT");
    const bad = await rejection(caller(admin).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "github", githubLogin: "-bad-" }, role: "VIEWER" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toMatch(/GitHub login/);
  });

  it("one link accepted twice at once makes one membership", async () => {
    now = new Date();
    const invitee = await addUser();
    const invited = await caller(admin).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "email", email: invitee.email }, role: "VIEWER" });
    const results = await Promise.allSettled([caller(invitee).invitations.accept({ token: invited.token }), caller(invitee).invitations.accept({ token: invited.token })]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await t.database.system("test").membership.count({ where: { userId: invitee.userId } })).toBe(1);
  });
});

describe("roles and removal", () => {
  it("an admin changes a role and removes a member, each audited once; others may not", async () => {
    const member = await addUser({ tenant: DEMO.tenantSlug, role: "VIEWER" });
    const maintainer = await addUser({ tenant: DEMO.tenantSlug, role: "MAINTAINER" });
    expect((await rejection(caller(maintainer).members.changeRole({ tenant: DEMO.tenantSlug, userId: member.userId, role: "ADMIN" }))).code).toBe("FORBIDDEN");
    expect(await caller(admin).members.changeRole({ tenant: DEMO.tenantSlug, userId: member.userId, role: "DEVELOPER" })).toEqual({ userId: member.userId, from: "VIEWER", to: "DEVELOPER" });
    const changes = (await auditOf("membership.role_changed")).filter((event) => event.targetId === `${DEMO.tenantId}/${member.userId}`);
    expect(changes.map((event) => event.data)).toEqual([{ userId: member.userId, from: "VIEWER", to: "DEVELOPER" }]);
    await caller(admin).members.remove({ tenant: DEMO.tenantSlug, userId: member.userId });
    expect((await rejection(caller(member).members.list({ tenant: DEMO.tenantSlug }))).code).toBe("FORBIDDEN");
    expect((await auditOf("membership.removed")).filter((event) => event.targetId === `${DEMO.tenantId}/${member.userId}`)).toHaveLength(1);
    expect((await rejection(caller(admin).members.remove({ tenant: DEMO.tenantSlug, userId: member.userId }))).code).toBe("NOT_FOUND");
  });

  it("the last admin cannot demote or remove themself", async () => {
    const slug = await addTenant();
    const only = await addUser({ tenant: slug, role: "ADMIN" });
    const demote = await rejection(caller(only).members.changeRole({ tenant: slug, userId: only.userId, role: "MAINTAINER" }));
    expect(demote.code).toBe("PRECONDITION_FAILED");
    expect(demote.message).toMatch(/last admin/);
    expect((await rejection(caller(only).members.remove({ tenant: slug, userId: only.userId }))).message).toMatch(/last admin/);
    expect((await caller(only).members.list({ tenant: slug })).members.map((member) => member.role)).toEqual(["ADMIN"]);
  });

  it("two admins demoting or removing each other at once leave one admin", async () => {
    for (const round of [0, 1, 2, 3, 4]) {
      const slug = await addTenant();
      const a = await addUser({ tenant: slug, role: "ADMIN" });
      const b = await addUser({ tenant: slug, role: "ADMIN" });
      const [first, second] = await Promise.allSettled([
        round % 2 === 0 ? caller(a).members.changeRole({ tenant: slug, userId: a.userId, role: "VIEWER" }) : caller(a).members.remove({ tenant: slug, userId: b.userId }),
        caller(b).members.changeRole({ tenant: slug, userId: b.userId, role: "DEVELOPER" }),
      ]);
      const admins = await t.database.system("test").membership.count({ where: { tenant: { slug }, role: "ADMIN" } });
      expect(admins, `round ${round}`).toBe(1);
      expect([first.status, second.status].filter((status) => status === "fulfilled").length, `round ${round}`).toBeGreaterThanOrEqual(1);
    }
  });
});
