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
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const callerFor = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues }));
const sys = () => t.database.system("test");

beforeAll(async () => {
  t = await setupWebTest();
  await sys().user.create({ data: { id: developer.userId, email: developer.email, name: developer.name } });
  await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: developer.userId, role: "DEVELOPER" } });
});
afterAll(async () => {
  await t?.close();
});

/** A run whose `deploy` job waits for a review of a fresh environment with the given reviewers. */
async function pendingDeployment(reviewers: string[], expiresAt = new Date(Date.now() + 3_600_000)) {
  const environmentId = `env-${randomBytes(3).toString("hex")}`;
  await sys().environment.create({ data: { id: environmentId, tenantId: DEMO.tenantId, repositoryId: DEMO.repositoryId, name: environmentId } });
  await sys().protectionRule.create({ data: { id: `${environmentId}-rule`, tenantId: DEMO.tenantId, environmentId, kind: "REQUIRED_REVIEWERS", config: { reviewers } } });
  const created = await queuedDeployRun(t);
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

    expect(await callerFor(developer).approvals.decide(input)).toEqual({ id: deployment.approvalId, status: "APPROVED" });
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
