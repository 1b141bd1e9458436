// The job's GITHUB_TOKEN is revoked once its attempt ends, however it ended: the reaper's sweep finds attempts that
// ended while still holding one (lost here) and leaves live ones alone; the job revokes it at GitHub (the fake
// forgets it) and clears the sealed copy; a second run of the same job is a no-op.
import { randomBytes } from "node:crypto";
import { jobRunId, randomId, runId, secretStore, transitions, type TenantContext } from "@gantry/db";
import { Queues, revokeGithubTokenJobId } from "@gantry/jobs";
import type { Redis } from "ioredis";
import { testRedis } from "@gantry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reapLapsedLeases } from "@gantry/engine";
import { revokeAttemptGithubToken, sweepEndedAttemptTokens } from "../../src/jobs/revoke-github-token";
import { githubTestbed, type GithubTestbed } from "./github-testbed";

const REPO = { installation: 4711, id: 808, fullName: "acme/app" };
const masterKey = randomBytes(32);
const keys = testRedis("revoke");
const { prefix } = keys;
let bed: GithubTestbed;
let redis: Redis;
let queues: Queues;
let ctx: TenantContext;

beforeAll(async () => {
  bed = await githubTestbed(REPO);
  ctx = { tenantId: bed.tenantId, actor: { kind: "SYSTEM" } };
  redis = keys.connect({ maxRetriesPerRequest: null });
  queues = new Queues(redis, prefix);
});
afterAll(async () => {
  await queues?.close();
  await keys.close();
  await bed?.close();
});

/** A running attempt holding a sealed, narrowed token, as the claim leaves it. */
async function attemptWithToken(): Promise<{ attemptId: string; token: string }> {
  const scoped = bed.db.forTenant(ctx);
  const repository = await scoped.repository.findFirstOrThrow({ where: { fullName: REPO.fullName } });
  const key = randomId("k");
  const run = runId(ctx.tenantId, key);
  await scoped.workflowRun.create({ data: { id: run, tenantId: ctx.tenantId, repositoryId: repository.id, idempotencyKey: key, workflowPath: "ci.yml", workflowName: "CI", event: "push", ref: "refs/heads/main", sha: "a".repeat(40), runNumber: (await scoped.workflowRun.count()) + 1, plan: {} } });
  const jobId = jobRunId(run, "build");
  await scoped.jobRun.create({ data: { id: jobId, tenantId: ctx.tenantId, runId: run, key: "build", jobId: "build", name: "build", maxAttempts: 2 } });
  const assignment = await transitions.assignJob(bed.db.system("test"), ctx, { jobId, expectedAttempt: 0, leaseMs: 30_000 });
  if (!assignment) throw new Error("assignment failed");
  const { token } = await bed.github.tokens.mintNarrowed(REPO.installation, { repositoryIds: [REPO.id], permissions: { contents: "write" } });
  const sealed = await secretStore(scoped, ctx, masterKey).sealValue(`attempt:${assignment.attemptId}:github-token`, token);
  await scoped.jobAttempt.update({ where: { id: assignment.attemptId }, data: { githubTokenSealed: sealed } });
  return { attemptId: assignment.attemptId, token };
}

describe("revoking the job's GITHUB_TOKEN", () => {
  it("sweeps attempts that ended holding a token, revokes it at GitHub and clears it; live attempts keep theirs", async () => {
    const live = await attemptWithToken();
    const lost = await attemptWithToken();
    await bed.db.system("test").$executeRaw`UPDATE "JobAttempt" SET "leaseExpiresAt" = now() - interval '1 second' WHERE id = ${lost.attemptId}`;
    expect((await reapLapsedLeases(bed.db, 100)).lost).toBe(1);

    expect(await sweepEndedAttemptTokens(bed.db, queues)).toBe(1);
    const queue = queues.queue("gantry-github-tokens");
    expect((await queue.getJob(revokeGithubTokenJobId(lost.attemptId)))?.data).toEqual({ tenantId: ctx.tenantId, attemptId: lost.attemptId });
    expect(await queue.getJob(revokeGithubTokenJobId(live.attemptId))).toBeUndefined();

    const deps = { db: bed.db, masterKey, github: { apiUrl: bed.fake.url } };
    expect(bed.fake.tokenGrant(lost.token)).toBeDefined();
    expect(await revokeAttemptGithubToken(deps, { tenantId: ctx.tenantId, attemptId: lost.attemptId })).toBe("revoked");
    expect(bed.fake.tokenGrant(lost.token)).toBeUndefined();
    expect(bed.fake.callsTo(/^DELETE \/installation\/token$/).at(-1)?.status).toBe(204);
    expect((await bed.db.forTenant(ctx).jobAttempt.findUniqueOrThrow({ where: { id: lost.attemptId } })).githubTokenSealed).toBeNull();
    expect(await revokeAttemptGithubToken(deps, { tenantId: ctx.tenantId, attemptId: lost.attemptId })).toBe("none");
    expect(await sweepEndedAttemptTokens(bed.db, queues)).toBe(0);
    expect(bed.fake.tokenGrant(live.token)).toBeDefined();
  });
});
