// Secrets end to end on the control plane: set, list and delete through the tRPC chain (roles, audit, sealed at
// rest); a claimed job gets only the secrets it references, the nearest scope winning, and none for an untrusted
// run; what the attempt sends back (logs, step summary, annotations, outputs, its completion) is masked again on
// ingest.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { claimResponse } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as completeRoute } from "../src/app/api/runner/v1/complete/route";
import { POST as logsRoute } from "../src/app/api/runner/v1/logs/route";
import { POST as stepRoute } from "../src/app/api/runner/v1/step/route";
import type { SessionUser } from "../src/server/auth";
import { readAttemptLog } from "../src/server/logs/read-attempt-log";
import { createCaller } from "../src/server/routers/_app";
import { DirectoryObjectStore } from "@gantry/storage";
import { createTRPCContext } from "../src/server/trpc";
import { closeRunnerTest, demo, post, readyJob, register } from "./runner-support";
import { DEMO, setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-storage-"));
const masterKey = randomBytes(32);
const admin: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const developer: SessionUser = { userId: "usr_dev_secrets", email: "dev@gantry.local", name: "Dev" };
const viewer: SessionUser = { userId: "usr_viewer_secrets", email: "viewer@gantry.local", name: "Viewer" };
const callerFor = (session: SessionUser, key: Buffer | null = masterKey) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues, masterKey: key }));
const sys = () => t.database.system("test");
const tenant = { tenant: DEMO.tenantSlug };
const DEPLOY = "d3ploy-t0ken-value-9f8e7d";

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix, GANTRY_STORAGE_DIR: storage, GANTRY_MASTER_KEY: masterKey.toString("base64") });
  for (const [user, role] of [[developer, "DEVELOPER"], [viewer, "VIEWER"]] as const) {
    await sys().user.create({ data: { id: user.userId, email: user.email, name: user.name } });
    await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: user.userId, role } });
  }
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
  rmSync(storage, { recursive: true, force: true });
});

describe("secrets.set / list / delete", () => {
  it("an admin sets secrets per scope; values are sealed at rest, never listed, and every change is audited without them", async () => {
    const caller = callerFor(admin);
    expect(await caller.secrets.set({ ...tenant, scope: { kind: "tenant" }, name: "deploy_token", value: "tenant-wide-value" })).toEqual({ name: "DEPLOY_TOKEN", created: true });
    expect(await caller.secrets.set({ ...tenant, scope: { kind: "repository", repository: DEMO.repositoryName }, name: "DEPLOY_TOKEN", value: DEPLOY })).toEqual({ name: "DEPLOY_TOKEN", created: true });
    expect(await caller.secrets.set({ ...tenant, scope: { kind: "tenant" }, name: "Deploy_Token", value: "tenant-wide-value-2" })).toEqual({ name: "DEPLOY_TOKEN", created: false });
    await caller.secrets.set({ ...tenant, scope: { kind: "tenant" }, name: "UNUSED", value: "never-handed-out" });

    expect(await callerFor(developer).secrets.list({ ...tenant, scope: { kind: "tenant" } })).toEqual([
      { name: "DEPLOY_TOKEN", updatedAt: expect.any(String) },
      { name: "UNUSED", updatedAt: expect.any(String) },
    ]);
    const rows = await sys().secret.findMany({ where: { tenantId: DEMO.tenantId } });
    for (const row of rows) expect(Buffer.from(row.ciphertext).toString("utf8")).not.toContain("value");
    const audits = await sys().auditEvent.findMany({ where: { targetType: "Secret" }, orderBy: { createdAt: "asc" } });
    expect(audits.map((audit) => audit.action)).toEqual(["secret.create", "secret.create", "secret.update", "secret.create"]);
    expect(JSON.stringify(audits.map((audit) => audit.data))).not.toContain("value");
  });

  it("refuses what it must: roles, bad names, reserved names, an unknown repository, no master key", async () => {
    await expect(callerFor(viewer).secrets.list({ ...tenant, scope: { kind: "tenant" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(developer).secrets.set({ ...tenant, scope: { kind: "tenant" }, name: "X", value: "y" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(admin).secrets.set({ ...tenant, scope: { kind: "tenant" }, name: "1BAD", value: "y" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(admin).secrets.set({ ...tenant, scope: { kind: "tenant" }, name: "GITHUB_TOKEN", value: "y" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(admin).secrets.set({ ...tenant, scope: { kind: "repository", repository: "nope/nope" }, name: "X", value: "y" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(admin, null).secrets.set({ ...tenant, scope: { kind: "tenant" }, name: "X", value: "y" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await expect(callerFor(admin).secrets.delete({ ...tenant, scope: { kind: "tenant" }, name: "MISSING" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

async function claimJobThatPrints(trusted: boolean) {
  const { runnerId, credential } = await register(t, `r-secrets-${randomBytes(2).toString("hex")}`);
  await readyJob(t, `deploy-${randomBytes(2).toString("hex")}`, {
    trusted,
    steps: [{ index: 0, if: "success()", run: "./deploy.sh", env: { TOKEN: "${{ secrets.deploy_token }}" }, with: {}, continueOnError: false }],
  });
  const assignment = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json()).assignment;
  if (!assignment) throw new Error("no assignment");
  return assignment;
}

describe("secrets reach the runner where referenced, and are masked again on ingest", () => {
  it("a trusted job gets exactly the secrets it names, the repository's value over the tenant's", async () => {
    const assignment = await claimJobThatPrints(true);
    expect(assignment.secrets).toEqual({ DEPLOY_TOKEN: DEPLOY });
  });

  it("an untrusted run (a fork's pull request) gets none", async () => {
    const assignment = await claimJobThatPrints(false);
    expect(assignment.secrets).toEqual({});
  });

  it("a log chunk, step summary, annotation or output carrying a secret is stored masked, raw and base64", async () => {
    const assignment = await claimJobThatPrints(true);
    const base64 = Buffer.from(DEPLOY).toString("base64");
    const data = `token=${DEPLOY}\nencoded=${base64}\n`;
    const stored = await post(logsRoute, assignment.jobToken, { attemptId: assignment.attemptId, seq: 0, stepIndex: 0, timestamp: Date.now(), data });
    expect(stored.status).toBe(200);
    const log = await readAttemptLog(t.database.forTenant(demo), new DirectoryObjectStore(storage), assignment.attemptId);
    const text = log.chunks.map((chunk) => chunk.text).join("");
    expect(text).not.toContain(DEPLOY);
    expect(text).not.toContain(base64.slice(2, 20));
    expect(text).toContain("token=***");

    const step = await post(stepRoute, assignment.jobToken, {
      attemptId: assignment.attemptId,
      index: 0,
      name: "deploy",
      status: "SUCCEEDED",
      startedAt: Date.now(),
      finishedAt: Date.now(),
      outputs: { url: `https://x/${DEPLOY}` },
      summary: `# Deployed with ${DEPLOY}`,
      annotations: [{ level: "warning", message: `careful: ${DEPLOY}`, title: DEPLOY }],
    });
    expect(step.status).toBe(200);
    const row = await sys().stepRun.findFirstOrThrow({ where: { attemptId: assignment.attemptId, index: 0 } });
    expect(JSON.stringify(row)).not.toContain(DEPLOY);
    expect(row.summary).toBe("# Deployed with ***");
  });

  it("a completion carrying a secret stores and shows none: such an output is dropped, the failure reason masked", async () => {
    const assignment = await claimJobThatPrints(true);
    const encoded = Buffer.from(`user:${DEPLOY}`).toString("base64");
    const done = await post(completeRoute, assignment.jobToken, {
      attemptId: assignment.attemptId,
      conclusion: "FAILED",
      outputs: { url: `https://x/${DEPLOY}`, auth: encoded, plain: "ok" },
      failureReason: `step "deploy" failed: bad token ${DEPLOY}`,
    });
    expect(await done.json()).toEqual({ applied: true });
    const attempt = await sys().jobAttempt.findUniqueOrThrow({ where: { id: assignment.attemptId } });
    const job = await sys().jobRun.findUniqueOrThrow({ where: { id: attempt.jobRunId } });
    expect(JSON.stringify([job, attempt])).not.toContain(DEPLOY);
    expect(job.outputs).toEqual({ plain: "ok" });
    expect(job.failureReason).toBe('step "deploy" failed: bad token ***');
    const shown = await callerFor(viewer).runs.get({ ...tenant, runId: job.runId });
    expect(JSON.stringify(shown)).not.toContain(DEPLOY);
  });

  it("deleting a secret is audited; the next claim no longer carries it", async () => {
    await callerFor(admin).secrets.delete({ ...tenant, scope: { kind: "repository", repository: DEMO.repositoryName }, name: "deploy_token" });
    const assignment = await claimJobThatPrints(true);
    expect(assignment.secrets).toEqual({ DEPLOY_TOKEN: "tenant-wide-value-2" });
    expect(await sys().auditEvent.count({ where: { action: "secret.delete" } })).toBe(1);
  });
});
