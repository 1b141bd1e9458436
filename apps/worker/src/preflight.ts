import pg from "pg";
import { Redis } from "ioredis";
import type { WorkerEnv } from "./env";

/** null when Postgres and Redis both answer; otherwise one sentence naming which one and how to fix it. */
export async function checkConnections(env: Pick<WorkerEnv, "DATABASE_URL" | "REDIS_URL">): Promise<string | null> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    const host = new URL(env.DATABASE_URL).host;
    return `DATABASE_URL (${host}) does not answer: ${error instanceof Error ? error.message : String(error)}. Start Postgres or fix DATABASE_URL.`;
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    const host = new URL(env.REDIS_URL).host;
    return `REDIS_URL (${host}) does not answer: ${error instanceof Error ? error.message : String(error)}. Start Redis or fix REDIS_URL.`;
  } finally {
    redis.disconnect();
  }
}
