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
});
