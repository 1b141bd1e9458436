import { checkWebEnvAtStartup } from "../env";
import { checkHealth } from "./health";
import { getServices } from "./services";

/**
 * Runs once when `next start` boots. A bad environment stops the server at once with one line per problem
 * (exit 1). An unreachable Postgres or Redis does not (the health page must still answer), but is reported in
 * one line each, naming which and what to check.
 */
export function startServer(log: (line: string) => void = console.error): void {
  if (!checkWebEnvAtStartup(log)) process.exit(1);
  const services = getServices();
  void checkHealth(services).then(
    (report) => {
      const host = (url: string) => new URL(url).host;
      if (!report.postgres.ok) {
        log(
          `[web] Postgres at ${host(services.env.DATABASE_URL)} does not answer (${report.postgres.error}); check DATABASE_URL. /health shows the state.`,
        );
      }
      if (!report.redis.ok) {
        log(
          `[web] Redis at ${host(services.env.REDIS_URL)} does not answer (${report.redis.error}); check REDIS_URL. /health shows the state.`,
        );
      }
    },
    (error: unknown) =>
      log(`[web] start-up health check failed: ${error instanceof Error ? error.message : String(error)}`),
  );
}
