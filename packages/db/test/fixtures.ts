// Rows the db tests build on: a tenant with a repository, a run and a job, each created through the
// tenant-scoped client like production code does.
import { jobRunId, randomId, runId, type Database, type TenantContext } from "../src/index";

export async function seedTenant(db: Database, slug: string): Promise<TenantContext> {
  const id = randomId("ten");
  await db.system("test fixture").tenant.create({ data: { id, slug, name: slug } });
  const ctx: TenantContext = { tenantId: id, actor: { kind: "SYSTEM" } };
  await db.forTenant(ctx).repository.create({ data: { id: `${id}-repo`, tenantId: id, fullName: `${slug}/app` } });
  return ctx;
}

export async function seedJob(db: Database, ctx: TenantContext, key = "build", maxAttempts = 3) {
  const idempotencyKey = `push:${key}:${randomId("sha")}`;
  const run = runId(ctx.tenantId, idempotencyKey);
  const scoped = db.forTenant(ctx);
  const runNumber = (await scoped.workflowRun.count()) + 1;
  await scoped.workflowRun.create({
    data: {
      id: run,
      tenantId: ctx.tenantId,
      repositoryId: `${ctx.tenantId}-repo`,
      idempotencyKey,
      workflowPath: ".gantry/workflows/ci.yml",
      workflowName: "CI",
      event: "push",
      ref: "refs/heads/main",
      sha: "0".repeat(40),
      runNumber,
      plan: {},
    },
  });
  const job = jobRunId(run, key);
  await scoped.jobRun.create({ data: { id: job, tenantId: ctx.tenantId, runId: run, key, jobId: key, name: key, maxAttempts } });
  return { runId: run, jobId: job };
}
