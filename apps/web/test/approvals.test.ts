// approvals.list / approvals.decide through the real procedure chain: who may decide (named reviewers, or
// maintainers when none are named), a decision is made once and audited, the worker is asked to advance the run,
// and an expired approval cannot be approved.
import { randomBytes } from "node:crypto";
import { transitions, type TenantContext } from "@gantry/db";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { queuedDeployRun } from "./deploy-support";
import { DEMO, setupWebTest, TEST_REDIS_URL, type WebTestContext } from "./support";

let t: WebTestContext;
const demoUser: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const developer: SessionUser = { userId: "usr_dev", email: "dev@gantry.local", name: "Dev" };
const maintainer: SessionUser = { userId: "usr_maint", email: "maint@gantry.local", name: "Maintainer" };
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const callerFor = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));
const sys = () => t.database.system("test");

beforeAll(async () => {
  t = await setupWebTest();
  await sys().user.create({ data: { id: developer.userId, email: developer.email, name: developer.name } });
  await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: developer.userId, role: "DEVELOPER" } });
  await sys().user.create({ data: { id: maintainer.userId, email: maintainer.email, name: maintainer.name, githubLogin: "Maint-Hub" } });
  await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: maintainer.userId, role: "MAINTAINER" } });
});
afterAll(async () => {
  await t?.close();
});

/** A run whose `deploy` job waits for a review of a fresh environment with the given reviewers (or review rule). */
async function pendingDeployment(rule: string[] | { reviewers: string[]; requiredApprovals?: number; preventSelfReview?: boolean; reviewerRoles?: string[] }, expiresAt = new Date(Date.now() + 3_600_000), triggeredBy?: string) {
  const config = Array.isArray(rule) ? { reviewers: rule } : rule;
  const environmentId = `env-${randomBytes(3).toString("hex")}`;
  await sys().environment.create({ data: { id: environmentId, tenantId: DEMO.tenantId, repositoryId: DEMO.repositoryId, name: environmentId } });
  await sys().protectionRule.create({ data: { id: `${environmentId}-rule`, tenantId: DEMO.tenantId, environmentId, kind: "REQUIRED_REVIEWERS", config } });
  const created = await queuedDeployRun(t);
  if (triggeredBy) await sys().workflowRun.update({ where: { id: created.runId }, data: { triggeredBy } });
  const jobId = created.jobId;
  const approval = await transitions.requestApproval(sys(), demo, { jobRunId: jobId, environmentId, expiresAt });
  return { runId: created.runId, approvalId: approval.id, environment: environmentId };
}

describe("approvals", () => {
  it("lists a run's reviews, with whether the caller may decide", async () => {
    const deployment = await pendingDeployment([developer.userId]);
    const asReviewer = await callerFor(developer).approvals.list({ tenant: DEMO.tenantSlug, runId: deployment.runId });
    expect(asReviewer).toMatchObject([{ id: deployment.approvalId, environment: deployment.environment, status: "PENDING", reviewers: [developer.userId], canDecide: true }]);
    const asAdmin = await callerFor(demoUser).approvals.list({ tenant: DEMO.tenantSlug, runId: deployment.runId });
    expect(asAdmin[0]?.canDecide).toBe(false);
  });

  it("lets only a named reviewer decide, once, audited, and asks the worker to advance the run", async () => {
    const deployment = await pendingDeployment([developer.userId]);
    const input = { tenant: DEMO.tenantSlug, approvalId: deployment.approvalId, decision: "approve" as const, comment: "ship it" };
    // An admin who is not a named reviewer is refused, and nothing changes.
    await expect(callerFor(demoUser).approvals.decide(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await sys().approval.findUniqueOrThrow({ where: { id: deployment.approvalId } })).status).toBe("PENDING");

    expect(await callerFor(developer).approvals.decide(input)).toEqual({ id: deployment.approvalId, status: "APPROVED", approvals: 1, requiredApprovals: 1 });
    await expect(callerFor(developer).approvals.decide({ ...input, decision: "reject" })).rejects.toMatchObject({ code: "CONFLICT", message: "This deployment was already approved." });
    const stored = await sys().approval.findUniqueOrThrow({ where: { id: deployment.approvalId } });
    expect(stored).toMatchObject({ status: "APPROVED", decidedById: developer.userId, comment: "ship it" });
    const audit = await sys().auditEvent.findMany({ where: { targetId: deployment.approvalId } });
    expect(audit.map((event) => [event.action, event.actorId])).toEqual([["deployment.approve", developer.userId]]);

    const queue = new Queue("gantry-orchestration", { connection: { url: TEST_REDIS_URL }, prefix: t.env.GANTRY_QUEUE_PREFIX ?? "" });
    try {
      const job = await queue.getJob(`advance-${deployment.approvalId}-APPROVED`);
      expect(job?.data).toEqual({ tenantId: DEMO.tenantId, runId: deployment.runId });
    } finally {
      await queue.close();
    }
  });

  it("needs the required number of approvals: one keeps it pending, the second approves; each reviewer decides once", async () => {
    const deployment = await pendingDeployment({ reviewers: [developer.userId, maintainer.userId], requiredApprovals: 2 });
    const input = { tenant: DEMO.tenantSlug, approvalId: deployment.approvalId, decision: "approve" as const };
    expect(await callerFor(developer).approvals.decide(input)).toEqual({ id: deployment.approvalId, status: "PENDING", approvals: 1, requiredApprovals: 2 });
    await expect(callerFor(developer).approvals.decide(input)).rejects.toMatchObject({ code: "CONFLICT", message: "You have already decided this deployment." });
    const asMaintainer = await callerFor(maintainer).approvals.list({ tenant: DEMO.tenantSlug, runId: deployment.runId });
    expect(asMaintainer).toMatchObject([{ status: "PENDING", approvals: 1, requiredApprovals: 2, approvedBy: [{ userId: developer.userId, name: developer.name }], canDecide: true }]);
    expect((await callerFor(developer).approvals.list({ tenant: DEMO.tenantSlug, runId: deployment.runId }))[0]?.canDecide).toBe(false);
    const inbox = await callerFor(developer).approvals.pending({ tenant: DEMO.tenantSlug });
    expect(inbox.find((approval) => approval.id === deployment.approvalId)).toMatchObject({ approvals: 1, requiredApprovals: 2, voted: true, canDecide: false });
    expect((await sys().approval.findUniqueOrThrow({ where: { id: deployment.approvalId } })).status).toBe("PENDING");

    expect(await callerFor(maintainer).approvals.decide(input)).toEqual({ id: deployment.approvalId, status: "APPROVED", approvals: 2, requiredApprovals: 2 });
    const votes = await sys().approvalVote.findMany({ where: { approvalId: deployment.approvalId }, orderBy: { createdAt: "asc" } });
    expect(votes.map((vote) => [vote.userId, vote.decision])).toEqual([[developer.userId, "APPROVED"], [maintainer.userId, "APPROVED"]]);
    const audit = await sys().auditEvent.findMany({ where: { targetId: deployment.approvalId }, orderBy: { id: "asc" } });
    expect(audit.map((event) => [event.action, event.actorId])).toEqual([["deployment.approve", developer.userId], ["deployment.approve", maintainer.userId]]);
  });

  it("lets two reviewers decide at once: approved exactly once, both votes kept", async () => {
    const deployment = await pendingDeployment({ reviewers: [developer.userId, maintainer.userId], requiredApprovals: 2 });
    const input = { tenant: DEMO.tenantSlug, approvalId: deployment.approvalId, decision: "approve" as const };
    const results = await Promise.all([callerFor(developer).approvals.decide(input), callerFor(maintainer).approvals.decide(input)]);
    expect(results.map((result) => result.status).sort()).toEqual(["APPROVED", "PENDING"]);
    expect(await sys().approvalVote.count({ where: { approvalId: deployment.approvalId } })).toBe(2);
    const history = await sys().stateTransition.findMany({ where: { entity: "Approval", entityId: deployment.approvalId } });
    expect(history.map((row) => row.toStatus)).toEqual(["APPROVED"]);
  });

  it("prevents self-review: the user who triggered the run may not approve it, another reviewer may", async () => {
    const rule = { reviewers: [developer.userId, maintainer.userId], preventSelfReview: true };
    // A dispatch from the web app records the user's email.
    const dispatched = await pendingDeployment(rule, undefined, developer.email);
    const input = { tenant: DEMO.tenantSlug, approvalId: dispatched.approvalId, decision: "approve" as const };
    await expect(callerFor(developer).approvals.decide(input)).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("prevents self-review") });
    expect(await sys().approvalVote.count({ where: { approvalId: dispatched.approvalId } })).toBe(0);
    expect((await callerFor(developer).approvals.list({ tenant: DEMO.tenantSlug, runId: dispatched.runId }))[0]).toMatchObject({ canDecide: true, canApprove: false });
    expect((await callerFor(maintainer).approvals.decide(input)).status).toBe("APPROVED");

    // A GitHub event records the sender's login, compared case-insensitively with the reviewer's.
    const pushed = await pendingDeployment(rule, undefined, "maint-hub");
    await expect(callerFor(maintainer).approvals.decide({ ...input, approvalId: pushed.approvalId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await callerFor(developer).approvals.decide({ ...input, approvalId: pushed.approvalId })).status).toBe("APPROVED");

    // Without the setting, triggering the run does not stop its reviewer.
    const unguarded = await pendingDeployment([developer.userId], undefined, developer.email);
    expect((await callerFor(developer).approvals.decide({ ...input, approvalId: unguarded.approvalId })).status).toBe("APPROVED");
  });

  it("lets members with one of the rule's roles review, besides the named reviewers", async () => {
    const deployment = await pendingDeployment({ reviewers: [maintainer.userId], reviewerRoles: ["DEVELOPER"], requiredApprovals: 2 });
    const input = { tenant: DEMO.tenantSlug, approvalId: deployment.approvalId, decision: "approve" as const };
    // The admin is neither named nor a developer: refused, naming the roles.
    await expect(callerFor(demoUser).approvals.decide(input)).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("role DEVELOPER") });
    expect((await callerFor(demoUser).approvals.list({ tenant: DEMO.tenantSlug, runId: deployment.runId }))[0]).toMatchObject({ reviewerRoles: ["DEVELOPER"], canDecide: false });
    expect((await callerFor(developer).approvals.decide(input)).status).toBe("PENDING");
    expect((await callerFor(maintainer).approvals.decide(input)).status).toBe("APPROVED");
  });

  it("needs a maintainer when the environment names no reviewers", async () => {
    const deployment = await pendingDeployment([]);
    const input = { tenant: DEMO.tenantSlug, approvalId: deployment.approvalId, decision: "reject" as const };
    await expect(callerFor(developer).approvals.decide(input)).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("maintainer") });
    expect((await callerFor(demoUser).approvals.decide(input)).status).toBe("REJECTED");
  });

  it("cannot approve an expired review", async () => {
    const deployment = await pendingDeployment([], new Date(Date.now() - 1_000));
    await expect(callerFor(demoUser).approvals.decide({ tenant: DEMO.tenantSlug, approvalId: deployment.approvalId, decision: "approve" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "This approval has expired.",
    });
  });

  it("does not reach another tenant's approval", async () => {
    await sys().tenant.create({ data: { id: "ten_other", slug: "other", name: "Other" } });
    await sys().membership.create({ data: { tenantId: "ten_other", userId: DEMO.userId, role: "ADMIN" } });
    const deployment = await pendingDeployment([]);
    await expect(callerFor(demoUser).approvals.decide({ tenant: "other", approvalId: deployment.approvalId, decision: "approve" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
