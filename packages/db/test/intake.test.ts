import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, jobRunId, openDatabase, type Database, type RawPrismaClient, type SqlClient, type TenantContext } from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";
import { seedTenant } from "./fixtures";

let testDb: TestDatabase;
let db: Database;
let sys: RawPrismaClient;
let sql: SqlClient;
let ctx: TenantContext;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url, { poolSize: 12 });
  sys = db.system("intake test");
  sql = db.sql("intake test");
  ctx = await seedTenant(db, "acme");
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

const job = (key: string, needs: string[] = []): intake.PlannedJobRow => ({
  key,
  jobId: key.split(" ")[0] ?? key,
  name: key,
  needs,
  runsOn: ["ubuntu-latest"],
  timeoutMinutes: 30,
  continueOnError: false,
  retry: { maxAttempts: 3 },
});

function newRun(sha: string): intake.NewRun {
  return {
    repositoryId: `${ctx.tenantId}-repo`,
    idempotencyKey: `push:${ctx.tenantId}-repo:${sha}:.gantry/workflows/ci.yml`,
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha,
    trusted: true,
    plan: { jobs: [job("build"), job("test (20)", ["build"]), job("test (22)", ["build"]), job("deploy", ["test (20)", "test (22)"])] },
  };
}

describe("createRun", () => {
  it("creates the run and one JobRun per planned job, with needs as job ids", async () => {
    const created = await intake.createRun(sys, ctx, newRun("a".repeat(40)));
    expect(created.created).toBe(true);
    expect(created.rootJobIds).toEqual([jobRunId(created.runId, "build")]);
    const jobs = await db.forTenant(ctx).jobRun.findMany({ where: { runId: created.runId }, orderBy: { key: "asc" } });
    expect(jobs.map((j) => j.key)).toEqual(["build", "deploy", "test (20)", "test (22)"]);
    const deploy = jobs.find((j) => j.key === "deploy");
    expect(deploy?.needs.sort()).toEqual([jobRunId(created.runId, "test (20)"), jobRunId(created.runId, "test (22)")].sort());
    expect(jobs.every((j) => j.status === "QUEUED" && j.timeoutMinutes === 30 && j.maxAttempts === 3)).toBe(true);
  });

  it("the same event twice, even at once, makes one run", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => intake.createRun(sys, ctx, newRun("b".repeat(40)))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    expect(await db.forTenant(ctx).workflowRun.count({ where: { sha: "b".repeat(40) } })).toBe(1);
    expect(await db.forTenant(ctx).jobRun.count({ where: { runId: results[0]?.runId } })).toBe(4);
  });

  it("numbers runs per repository without gaps or repeats under concurrency", async () => {
    const shas = Array.from({ length: 8 }, (_, i) => String(i).repeat(40));
    await Promise.all(shas.map((sha) => intake.createRun(sys, ctx, newRun(sha))));
    const numbers = (await db.forTenant(ctx).workflowRun.findMany({ select: { runNumber: true } })).map((r) => r.runNumber).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
  });

  it("an invalid workflow becomes a FAILED run that keeps its errors", async () => {
    const { plan: _plan, ...rest } = newRun("c".repeat(40));
    const errors = [{ file: "ci.yml", line: 3, col: 5, code: "unknown-key", message: "unknown key", severity: "error" }];
    const created = await intake.createInvalidRun(sys, ctx, { ...rest, errors });
    const run = await db.forTenant(ctx).workflowRun.findUniqueOrThrow({ where: { id: created.runId } });
    expect(run.status).toBe("FAILED");
    expect(run.errors).toEqual(errors);
    expect((await intake.createInvalidRun(sys, ctx, { ...rest, errors })).created).toBe(false);
  });
});

describe("deliveries", () => {
  it("are stored once per delivery id and settled once", async () => {
    const input = { deliveryId: "d-1", source: "git" as const, event: "push", payload: { ref: "refs/heads/main" } };
    const first = await intake.recordDelivery(sql, input);
    const second = await intake.recordDelivery(sql, input);
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ id: first.id, duplicate: true });
    expect(await intake.settleDelivery(sys, first.id, "PROCESSED")).toBe(true);
    expect(await intake.settleDelivery(sys, first.id, "FAILED", "late")).toBe(false);
    expect((await sys.webhookDelivery.findUniqueOrThrow({ where: { id: first.id } })).status).toBe("PROCESSED");
  });

  it("a batch stores each new delivery once, however often it repeats, in one statement", async () => {
    const batch = ["b-1", "b-2", "b-1", "b-3", "b-2"].map((deliveryId) => ({ deliveryId, source: "git" as const, event: "push", payload: { deliveryId } }));
    const recorded = await intake.recordDeliveries(sql, batch);
    expect(recorded.map((one) => one.duplicate)).toEqual([false, false, true, false, true]);
    expect(recorded[2]?.id).toBe(recorded[0]?.id);
    const again = await intake.recordDeliveries(sql, batch.slice(0, 2));
    expect(again.map((one) => one.duplicate)).toEqual([true, true]);
    expect(await sys.webhookDelivery.count({ where: { deliveryId: { in: ["git:b-1", "git:b-2", "git:b-3"] } } })).toBe(3);
    expect((await sys.webhookDelivery.findUniqueOrThrow({ where: { id: recorded[3]?.id } })).payload).toEqual({ deliveryId: "b-3" });
  });

  it("resolve a GitHub delivery's tenant and repository from its ids; another tenant's repository is not linked", async () => {
    const other = await seedTenant(db, "other-org");
    await sys.installation.create({ data: { id: "inst-batch", tenantId: ctx.tenantId, githubInstallationId: 9_100_001n, accountLogin: "acme", accountType: "Organization" } });
    await sys.repository.update({ where: { id: `${ctx.tenantId}-repo` }, data: { githubRepoId: 9_200_001n } });
    await sys.repository.update({ where: { id: `${other.tenantId}-repo` }, data: { githubRepoId: 9_200_002n } });
    const github = (deliveryId: string, ids: { installationId?: string; repositoryId?: string }) => ({ deliveryId, source: "github" as const, event: "push", github: ids, payload: {}, payloadText: `{"raw":"${deliveryId}"}` });
    const recorded = await intake.recordDeliveries(sql, [
      github("r-both", { installationId: "9100001", repositoryId: "9200001" }),
      github("r-installation", { installationId: "9100001" }),
      github("r-repository", { repositoryId: "9200002" }),
      github("r-foreign", { installationId: "9100001", repositoryId: "9200002" }),
      github("r-unknown", { installationId: "1", repositoryId: "2" }),
    ]);
    const rows = await sys.webhookDelivery.findMany({ where: { id: { in: recorded.map((one) => one.id) } } });
    const owner = (deliveryId: string) => {
      const row = rows.find((one) => one.deliveryId === `github:${deliveryId}`);
      return { tenantId: row?.tenantId ?? null, repositoryId: row?.repositoryId ?? null };
    };
    expect(owner("r-both")).toEqual({ tenantId: ctx.tenantId, repositoryId: `${ctx.tenantId}-repo` });
    expect(owner("r-installation")).toEqual({ tenantId: ctx.tenantId, repositoryId: null });
    expect(owner("r-repository")).toEqual({ tenantId: other.tenantId, repositoryId: `${other.tenantId}-repo` });
    expect(owner("r-foreign")).toEqual({ tenantId: ctx.tenantId, repositoryId: null });
    expect(owner("r-unknown")).toEqual({ tenantId: null, repositoryId: null });
    expect(rows.find((one) => one.deliveryId === "github:r-both")?.payload).toEqual({ raw: "r-both" });
  });
});
