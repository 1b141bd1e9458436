// A run's artifacts for the run page and the API: name, size, expiry, digest and the job attempt that uploaded it,
// oldest first; expired ones stay listed (marked) until the retention sweep removes them.
import type { TenantProcedureContext } from "../../trpc";
import type { ListArtifactsInput } from "./list.schema";
import { requireRun } from "./run-artifact";

export async function listArtifactsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ListArtifactsInput }) {
  await requireRun(ctx, input);
  const rows = await ctx.db.artifact.findMany({ where: { runId: input.runId }, orderBy: [{ createdAt: "asc" }, { name: "asc" }] });
  const attemptIds = [...new Set(rows.flatMap((row) => (row.attemptId ? [row.attemptId] : [])))];
  const attempts = attemptIds.length === 0 ? [] : await ctx.db.jobAttempt.findMany({ where: { id: { in: attemptIds } }, select: { id: true, number: true, runAttempt: true, job: { select: { key: true } } } });
  const uploader = new Map(attempts.map((attempt) => [attempt.id, { jobKey: attempt.job.key, attempt: attempt.number, runAttempt: attempt.runAttempt }]));
  const now = ctx.now().getTime();
  return {
    /** Whether the caller may delete them (maintainer or admin); artifacts.delete checks it again. */
    canDelete: ctx.role === "MAINTAINER" || ctx.role === "ADMIN",
    artifacts: rows.map((row) => ({
      name: row.name,
      sizeBytes: Number(row.sizeBytes),
      digest: `sha256:${row.sha256}`,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
      expired: row.expiresAt.getTime() <= now,
      /** Null for an artifact recorded before uploaders were kept. */
      uploadedBy: (row.attemptId && uploader.get(row.attemptId)) || null,
    })),
  };
}
