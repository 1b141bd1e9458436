// What the integration tests share: a fresh migrated database per test file (seeded with the demo tenant),
// the test Redis, and the env the app's getServices() reads.
import { randomBytes } from "node:crypto";
import { DEMO, newToken, openDatabase, randomId, seedDemo, type Database, type Role } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { Queues } from "@gantry/jobs";
import { TRPCError } from "@trpc/server";
import { Redis } from "ioredis";
import { vi } from "vitest";
import type { SessionUser } from "../src/server/auth";

/** The Redis the tests use (scripts/run-tests.mjs sets it; the default matches the local services). */
export const TEST_REDIS_URL = process.env.GANTRY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface WebTestContext {
  testDb: TestDatabase;
  database: Database;
  redis: Redis;
  /** A producer on this test's own queue prefix (GANTRY_QUEUE_PREFIX in env). */
  queues: Queues;
  /** The demo pool's registration token, in the clear. */
  registrationToken: string;
  /** The env a web process for this database would get. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function setupWebTest(): Promise<WebTestContext> {
  const testDb = await createTestDatabase();
  const database = openDatabase(testDb.url, { poolSize: 4 });
  const registrationToken = newToken("grt");
  await seedDemo(database, {
    repositoryUrl: "/tmp/gantry-web-test/demo.git",
    runnerRegistrationToken: registrationToken,
  });
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const queuePrefix = `gantry-test-${randomBytes(4).toString("hex")}`;
  const queues = new Queues(redis, queuePrefix);
  return {
    testDb,
    database,
    redis,
    queues,
    registrationToken,
    env: {
      DATABASE_URL: testDb.url,
      REDIS_URL: TEST_REDIS_URL,
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      NEXTAUTH_URL: "http://127.0.0.1:3999",
      GANTRY_QUEUE_PREFIX: queuePrefix,
    },
    close: async () => {
      await queues.close();
      redis.disconnect();
      await database.close();
      await testDb.drop();
    },
  };
}

/** Points the app's own getServices() at this test's database and Redis. */
export function stubWebEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

export { DEMO };

/** The TRPCError a call was refused with (fails the test when it was not refused, or failed otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to be refused");
}

/** A new user, a member of `tenantId` (default the demo tenant) with `role`, or of none; as a session. */
export async function addMember(database: Database, role: Role | null, options: { tenantId?: string; githubLogin?: string } = {}): Promise<SessionUser> {
  const id = randomId("usr");
  const email = `${id.toLowerCase()}@example.test`;
  await database.system("test").user.create({ data: { id, email, name: id, ...(options.githubLogin ? { githubLogin: options.githubLogin } : {}) } });
  if (role) await database.system("test").membership.create({ data: { tenantId: options.tenantId ?? DEMO.tenantId, userId: id, role } });
  return { userId: id, email, name: id };
}
