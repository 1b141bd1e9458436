// logs.search: lines of the tenant's archived logs that contain the query, newest first, with where each one is
// (run, job, attempt, step, line), the line with the terms marked (escaped HTML), and its permalink on the job page.
// Tenant-scoped: searchLogs reads only the caller's tenant's rows (ctx.tenant comes from the membership).
import { LogSearchQueryError, parseLogQuery, searchLogs } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { highlightLine } from "../../logs/highlight-line";
import { jobLinePermalink } from "../../logs/line-permalink";
import type { TenantProcedureContext } from "../../trpc";
import type { SearchLogsInput } from "./search.schema";

const DAY_MS = 24 * 3600_000;
/** A bare day is a whole UTC day: `from` its start, `to` the end of it. */
const dayOrMoment = (value: string, end: boolean) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(Date.parse(`${value}T00:00:00Z`) + (end ? DAY_MS : 0)) : new Date(value));

export async function searchLogsHandler({ ctx, input }: { ctx: TenantProcedureContext; input: SearchLogsInput }) {
  let page;
  let terms: string[];
  try {
    terms = parseLogQuery(input.query);
    page = await searchLogs(ctx.database.sql("logs.search: a tenant's indexed log lines"), ctx.tenant.id, {
      terms,
      limit: input.limit,
      ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
      ...(input.repository !== undefined ? { repository: input.repository } : {}),
      ...(input.branch !== undefined ? { branch: input.branch } : {}),
      ...(input.workflow !== undefined ? { workflow: input.workflow } : {}),
      ...(input.job !== undefined ? { jobKey: input.job } : {}),
      ...(input.from !== undefined ? { from: dayOrMoment(input.from, false) } : {}),
      ...(input.to !== undefined ? { to: dayOrMoment(input.to, true) } : {}),
    });
  } catch (error) {
    if (error instanceof LogSearchQueryError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    throw error;
  }
  return {
    terms,
    hits: page.hits.map(({ runCreatedAt, ...hit }) => ({
      ...hit,
      runCreatedAt: runCreatedAt.toISOString(),
      html: highlightLine(hit.text, terms),
      href: jobLinePermalink(ctx.tenant.slug, hit.runId, hit.jobKey, hit.step, hit.line),
    })),
    nextCursor: page.nextCursor,
  };
}
