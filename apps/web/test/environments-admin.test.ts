// Environments and their protection rules (issue #16): maintainers create and delete environments and set the
// rules the engine's gate reads (the same schemas); the pending-approvals inbox spans the tenant's runs.
import { protectionRuleConfig, transitions, type TenantContext } from "@gantry/db";
import { checkEnvironmentGate } from "@gantry/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/server/auth";
import { queuedDeployRun } from "./deploy-support";
import { DEMO, setupWebTest, type WebTestContext } from "./support";
import { auditOf, callerFor, member, rejection } from "./trpc-support";

let t: WebTestContext;
let maintainer: SessionUser;
let reviewerA: SessionUser;
let reviewerB: SessionUser;
const tenant = DEMO.tenantSlug;
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const sys = () => t.database.system("test");

beforeAll(async () => {
  t = await setupWebTest();
  maintainer = await member(t, "MAINTAINER");
  reviewerA = await member(t, "DEVELOPER");
  reviewerB = await member(t, "VIEWER");
});
afterAll(async () => {
  await t?.close();
});

describe("environments", () => {
  it("a maintainer creates one with two reviewers, a wait timer and branch/tag patterns; the gate reads them", async () => {
    const maintainerCaller = callerFor(t, maintainer);
    const created = await maintainerCaller.environments.create({ tenant, repositoryId: DEMO.repositoryId, name: "production" });
    const set = await maintainerCaller.environments.setProtection({
      tenant,
      environmentId: created.id,
      requiredReviewers: { reviewers: [reviewerA.userId, reviewerB.userId], expiresInMinutes: 60 },
      waitTimer: { minutes: 0 },
      branchPolicy: { branches: ["main", "release/*"], tags: ["v*"] },
    });
    expect(set.changed).toEqual(["requiredReviewers", "waitTimer", "branchPolicy"]);
    const rules = await sys().protectionRule.findMany({ where: { environmentId: created.id } });
    expect(protectionRuleConfig.REQUIRED_REVIEWERS.parse(rules.find((rule) => rule.kind === "REQUIRED_REVIEWERS")?.config)).toEqual({ reviewers: [reviewerA.userId, reviewerB.userId], reviewerRoles: [], requiredApprovals: 1, preventSelfReview: false, expiresInMinutes: 60 });

    const listed = (await maintainerCaller.environments.list({ tenant })).repositories.find((repository) => repository.id === DEMO.repositoryId)?.environments.find((environment) => environment.id === created.id);
    expect(listed).toMatchObject({ name: "production", requiredReviewers: { valid: true }, branchPolicy: { valid: true, config: { branches: ["main", "release/*"], tags: ["v*"] } }, reviewerNames: [reviewerA.name, reviewerB.name] });

    // The engine's gate: a feature branch is refused, main is held for review.
    const feature = await queuedDeployRun(t, { ref: "refs/heads/feature/x" });
    expect((await checkEnvironmentGate(t.database, demo, { id: feature.jobId, repositoryId: DEMO.repositoryId, ref: "refs/heads/feature/x" }, "production")).kind).toBe("refused");
    const main = await queuedDeployRun(t);
    expect(await checkEnvironmentGate(t.database, demo, { id: main.jobId, repositoryId: DEMO.repositoryId, ref: "refs/heads/main" }, "production")).toMatchObject({ kind: "held" });

    // The inbox lists it across the tenant; a named reviewer may decide, an admin who is not named may not.
    const inbox = await callerFor(t, reviewerB).approvals.pending({ tenant });
    const entry = inbox.find((approval) => approval.run.id === main.runId);
    expect(entry).toMatchObject({ environment: "production", job: { key: "deploy" }, run: { workflow: "Deploy", repository: DEMO.repositoryName }, canDecide: true });
    expect((await callerFor(t, await member(t, "ADMIN")).approvals.pending({ tenant })).find((approval) => approval.run.id === main.runId)?.canDecide).toBe(false);
    await callerFor(t, reviewerB).approvals.decide({ tenant, approvalId: entry?.id ?? "", decision: "approve" });
    expect((await callerFor(t, reviewerB).approvals.pending({ tenant })).some((approval) => approval.run.id === main.runId)).toBe(false);

    const audits = await auditOf(t, "environment.updated");
    expect(audits.at(-1)?.data).toMatchObject({ name: "production", waitTimer: { minutes: 0 } });
    expect((await auditOf(t, "environment.created")).at(-1)?.targetId).toBe(created.id);
  });

  it("sets reviewers by role, the number of approvals and self-review prevention", async () => {
    const { id } = await callerFor(t, maintainer).environments.create({ tenant, repositoryId: DEMO.repositoryId, name: "release" });
    await callerFor(t, maintainer).environments.setProtection({ tenant, environmentId: id, requiredReviewers: { reviewers: [], reviewerRoles: ["MAINTAINER", "ADMIN"], requiredApprovals: 2, preventSelfReview: true } });
    const rule = await sys().protectionRule.findFirstOrThrow({ where: { environmentId: id, kind: "REQUIRED_REVIEWERS" } });
    expect(protectionRuleConfig.REQUIRED_REVIEWERS.parse(rule.config)).toMatchObject({ reviewers: [], reviewerRoles: ["MAINTAINER", "ADMIN"], requiredApprovals: 2, preventSelfReview: true });
    expect((await auditOf(t, "environment.updated")).at(-1)?.data).toMatchObject({ name: "release", requiredReviewers: { reviewerRoles: ["MAINTAINER", "ADMIN"], requiredApprovals: 2, preventSelfReview: true } });
  });

  it("removes a rule with null and keeps the ones left out", async () => {
    const { id } = await callerFor(t, maintainer).environments.create({ tenant, repositoryId: DEMO.repositoryId, name: "staging" });
    await callerFor(t, maintainer).environments.setProtection({ tenant, environmentId: id, waitTimer: { minutes: 5 }, branchPolicy: { branches: ["main"], tags: [] } });
    await callerFor(t, maintainer).environments.setProtection({ tenant, environmentId: id, waitTimer: null });
    expect((await sys().protectionRule.findMany({ where: { environmentId: id } })).map((rule) => rule.kind)).toEqual(["BRANCH_POLICY"]);
  });

  it("refuses bad rules at their field, reviewers who are not members, duplicates and lower roles, writing nothing", async () => {
    const { id } = await callerFor(t, maintainer).environments.create({ tenant, repositoryId: DEMO.repositoryId, name: "qa" });
    const before = (await auditOf(t, "environment.updated")).length;
    const cases: [Record<string, unknown>, string][] = [
      [{ waitTimer: { minutes: 50_000 } }, "waitTimer"],
      [{ requiredReviewers: { reviewers: [] } }, "requiredReviewers"],
      [{ requiredReviewers: { reviewers: [reviewerA.userId], requiredApprovals: 7 } }, "requiredReviewers"],
      [{ requiredReviewers: { reviewers: [reviewerA.userId], requiredApprovals: 0 } }, "requiredReviewers"],
      [{ requiredReviewers: { reviewerRoles: ["VIEWER"] } }, "requiredReviewers"],
      // One named reviewer cannot give two approvals.
      [{ requiredReviewers: { reviewers: [reviewerA.userId], requiredApprovals: 2 } }, "requiredReviewers"],
      [{ branchPolicy: { branches: [], tags: [] } }, "branchPolicy"],
    ];
    for (const [rules, field] of cases) {
      const refused = await rejection(callerFor(t, maintainer).environments.setProtection({ tenant, environmentId: id, ...rules } as never));
      expect(refused.code).toBe("BAD_REQUEST");
      expect(((refused.cause as { issues?: { path: unknown[] }[] }).issues ?? []).map((issue) => issue.path[0])).toContain(field);
    }
    const stranger = await rejection(callerFor(t, maintainer).environments.setProtection({ tenant, environmentId: id, requiredReviewers: { reviewers: ["usr_not_a_member"] } }));
    expect([stranger.code, stranger.message]).toEqual(["BAD_REQUEST", expect.stringContaining("usr_not_a_member")]);
    expect(await sys().protectionRule.count({ where: { environmentId: id } })).toBe(0);
    expect((await auditOf(t, "environment.updated")).length).toBe(before);
    expect((await rejection(callerFor(t, maintainer).environments.create({ tenant, repositoryId: DEMO.repositoryId, name: "qa" }))).code).toBe("CONFLICT");
    expect((await rejection(callerFor(t, maintainer).environments.create({ tenant, repositoryId: DEMO.repositoryId, name: "bad/name" }))).code).toBe("BAD_REQUEST");
    for (const role of ["VIEWER", "DEVELOPER"] as const) {
      const someone = callerFor(t, await member(t, role));
      expect((await rejection(someone.environments.create({ tenant, repositoryId: DEMO.repositoryId, name: "nope" }))).code).toBe("FORBIDDEN");
      expect((await rejection(someone.environments.setProtection({ tenant, environmentId: id, waitTimer: { minutes: 1 } }))).code).toBe("FORBIDDEN");
      expect((await rejection(someone.environments.delete({ tenant, environmentId: id }))).code).toBe("FORBIDDEN");
    }
    expect((await rejection(callerFor(t, { userId: "usr_out", email: "out@example.test", name: "out" }).environments.list({ tenant }))).code).toBe("FORBIDDEN");
  });

  it("deletes an environment with its rules and secrets, but not while a deployment awaits review", async () => {
    const { id } = await callerFor(t, maintainer).environments.create({ tenant, repositoryId: DEMO.repositoryId, name: "doomed" });
    await callerFor(t, maintainer).environments.setProtection({ tenant, environmentId: id, requiredReviewers: { reviewers: [reviewerA.userId] } });
    const waiting = await queuedDeployRun(t);
    await transitions.requestApproval(sys(), demo, { jobRunId: waiting.jobId, environmentId: id, expiresAt: new Date(Date.now() + 3_600_000) });
    const refused = await rejection(callerFor(t, maintainer).environments.delete({ tenant, environmentId: id }));
    expect([refused.code, refused.message]).toEqual(["PRECONDITION_FAILED", expect.stringContaining("awaiting review")]);
    await sys().approval.updateMany({ where: { environmentId: id }, data: { status: "REJECTED" } });
    await callerFor(t, maintainer).environments.delete({ tenant, environmentId: id });
    expect(await sys().environment.count({ where: { id } })).toBe(0);
    expect((await auditOf(t, "environment.deleted")).at(-1)?.data).toMatchObject({ name: "doomed", rules: ["REQUIRED_REVIEWERS"] });
  });
});
