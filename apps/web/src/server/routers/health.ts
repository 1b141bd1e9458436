import { checkHealth } from "../health";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const healthRouter = createTRPCRouter({
  /** Postgres and Redis round-trips; public, like GET /api/health (workers and runners are listed there). */
  status: publicProcedure.query(async ({ ctx }) => {
    const report = await checkHealth({ database: ctx.database, redis: ctx.redis }, { now: ctx.now() });
    return {
      status: report.status,
      postgres: report.postgres,
      redis: report.redis,
      checkedAt: report.checkedAt,
    };
  }),
});
