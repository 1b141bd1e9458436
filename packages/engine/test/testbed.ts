// The engine tests' one fixture: a fresh database (@gantry/db/testing), a Redis connection with a key prefix of its
// own (so test files running at once never share a queue), the fair queue and the ready handler over them, and the
// rows a test starts from (a tenant with its repository, a pool). close() drops the database and the prefix's keys.
import type { Redis } from "ioredis";
import { openDatabase, type Database, type TenantContext } from "@gantry/db";
import { createTestDatabase } from "@gantry/db/testing";
import { FairScheduler } from "@gantry/scheduler";
import { testRedis } from "@gantry/testing";
import { makeReadyHandler, type ReadyHandler } from "../src/lifecycle/ready-handler";

export interface EngineTestbed {
  db: Database;
  redis: Redis;
  prefix: string;
  scheduler: FairScheduler;
  ready: ReadyHandler;
  /** A tenant (id `ten_<slug>` unless given) with one repository (id `repo` unless given). */
  addTenant(slug: string, options?: { id?: string; repositoryId?: string; fullName?: string; concurrencyPolicy?: "REPLACE_PENDING" | "QUEUE" }): Promise<TenantContext>;
  /** A runner pool of the tenant (or shared, with no tenant) serving these labels with the process provider. */
  addPool(id: string, options: { tenantId?: string; labels?: string[] }): Promise<void>;
  close(): Promise<void>;
}

export async function engineTestbed(options: { poolSize?: number } = {}): Promise<EngineTestbed> {
  const testDb = await createTestDatabase();
  const db = openDatabase(testDb.url, options.poolSize ? { poolSize: options.poolSize } : {});
  const keys = testRedis("engine");
  const redis = keys.connect();
  const { prefix } = keys;
  const scheduler = new FairScheduler({ redis, prefix });
  const sys = db.system("test fixture");
  return {
    db,
    redis,
    prefix,
    scheduler,
    ready: makeReadyHandler(db, scheduler),
    async addTenant(slug, tenant = {}) {
      const id = tenant.id ?? `ten_${slug}`;
      await sys.tenant.create({ data: { id, slug, name: slug, ...(tenant.concurrencyPolicy ? { concurrencyPolicy: tenant.concurrencyPolicy } : {}) } });
      await sys.repository.create({ data: { id: tenant.repositoryId ?? "repo", tenantId: id, fullName: tenant.fullName ?? `${slug}/app` } });
      return { tenantId: id, actor: { kind: "SYSTEM" } };
    },
    async addPool(id, pool) {
      await sys.runnerPool.create({ data: { id, ...(pool.tenantId ? { tenantId: pool.tenantId } : { shared: true }), name: id, labels: pool.labels ?? ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
    },
    async close() {
      await keys.close();
      await db.close();
      await testDb.drop();
    },
  };
}
