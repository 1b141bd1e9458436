// Storage retention against real Postgres and a real store directory: expired artifacts and evicted caches lose
// their rows, an object goes only when no row names it and nobody touched it lately, and a started worker with
// GANTRY_STORAGE_DIR runs the sweep through its BullMQ job scheduler.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, randomId, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { contentObjectKey, DirectoryObjectStore } from "@gantry/storage";
import { parseWorkerEnv } from "../src/env";
import { DEFAULT_RETENTION, sweepStorage } from "../src/storage/retention";
import { startWorker } from "../src/worker";
import { testRedis, TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const DAY = 24 * 3600_000;
const root = mkdtempSync(path.join(os.tmpdir(), "gantry-retention-"));
const store = new DirectoryObjectStore(root);
let testDb: TestDatabase;
let db: Database;
const tenantId = `ten_${randomBytes(4).toString("hex")}`;
const [repoA, repoB] = [`${tenantId}-a`, `${tenantId}-b`];
const runId = `${tenantId}-run`;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  const sys = db.system("test setup");
  await sys.tenant.create({ data: { id: tenantId, slug: tenantId, name: tenantId } });
  for (const id of [repoA, repoB]) await sys.repository.create({ data: { id, tenantId, fullName: `${id}/app` } });
  await sys.workflowRun.create({ data: { id: runId, tenantId, repositoryId: repoA, idempotencyKey: "k", workflowPath: "ci.yml", workflowName: "ci", event: "push", ref: "refs/heads/main", sha: "a".repeat(40), runNumber: 1, plan: {} } });
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
  rmSync(root, { recursive: true, force: true });
});

/** An archive in the store, last written `ageMs` ago; its key is content-addressed like the web app's. */
async function archive(content: string, ageMs: number): Promise<{ objectKey: string; sha256: string; sizeBytes: bigint }> {
  const sha256 = createHash("sha256").update(content).digest("hex");
  const objectKey = contentObjectKey(tenantId, sha256);
  await store.put(objectKey, Buffer.from(content));
  const then = new Date(Date.now() - ageMs);
  utimesSync(path.join(root, objectKey), then, then);
  return { objectKey, sha256, sizeBytes: BigInt(content.length) };
}
const artifact = async (name: string, content: string, expiresInMs: number) =>
  db.system("test").artifact.create({ data: { id: randomId("art"), tenantId, runId, name, ...(await archive(content, 2 * DAY)), expiresAt: new Date(Date.now() + expiresInMs) } });
const cache = async (repositoryId: string, key: string, content: string, lastUsedAgoMs: number) =>
  db.system("test").cacheEntry.create({ data: { id: randomId("cache"), tenantId, repositoryId, scope: "refs/heads/main", key, version: "v1", ...(await archive(content, 2 * DAY)), lastUsedAt: new Date(Date.now() - lastUsedAgoMs) } });
const names = async () => ({
  artifacts: (await db.system("test").artifact.findMany({ orderBy: { name: "asc" } })).map((row) => row.name),
  caches: (await db.system("test").cacheEntry.findMany({ orderBy: { key: "asc" } })).map((row) => row.key),
});

describe("sweepStorage", () => {
  it("deletes expired artifacts, unused caches and LRU caches over a repository's cap, and only objects no row names", async () => {
    await artifact("expired", "bytes of an expired artifact", -1000);
    await artifact("live", "bytes of a live artifact", DAY);
    // The same bytes as a live cache entry: the expired artifact's row goes, the shared object stays.
    await artifact("expired-shared", "shared bytes", -1000);
    await cache(repoA, "shared", "shared bytes", 0);
    await cache(repoA, "unused", "bytes unused for eight days", 8 * DAY);
    // repo B: 3 × 100 bytes against a cap of 250: the least recently used one goes.
    await cache(repoB, "b-oldest", "x".repeat(100), 3 * DAY);
    await cache(repoB, "b-middle", "y".repeat(100), 2 * DAY);
    await cache(repoB, "b-newest", "z".repeat(100), 1 * DAY);
    // No row at all: an abandoned upload. Old → collected; fresh → kept (a writer may be about to record it).
    const abandoned = await archive("abandoned upload", 2 * DAY);
    const fresh = await archive("fresh upload", 0);

    const report = await sweepStorage(db, store, { ...DEFAULT_RETENTION, cacheMaxBytesPerRepository: 250 });
    expect(report).toMatchObject({ artifactsExpired: 2, cachesUnused: 1, cachesOverCap: 1, objectsDeleted: 4 });
    expect(await names()).toEqual({ artifacts: ["live"], caches: ["b-middle", "b-newest", "shared"] });
    const present = async (content: string) => store.exists(contentObjectKey(tenantId, createHash("sha256").update(content).digest("hex")));
    expect(await present("bytes of an expired artifact")).toBe(false);
    expect(await present("bytes unused for eight days")).toBe(false);
    expect(await present("x".repeat(100))).toBe(false);
    expect(await store.exists(abandoned.objectKey)).toBe(false);
    for (const kept of ["bytes of a live artifact", "shared bytes", "y".repeat(100), "z".repeat(100)]) expect(await present(kept)).toBe(true);
    expect(await store.exists(fresh.objectKey)).toBe(true);
    expect(report.bytesFreed).toBe(["bytes of an expired artifact", "bytes unused for eight days", "x".repeat(100), "abandoned upload"].reduce((sum, text) => sum + text.length, 0));

    // Idempotent: a second sweep finds nothing to do.
    expect(await sweepStorage(db, store, { ...DEFAULT_RETENTION, cacheMaxBytesPerRepository: 250 })).toEqual({ artifactsExpired: 0, cachesUnused: 0, cachesOverCap: 0, objectsDeleted: 0, bytesFreed: 0, uploadsAbandoned: 0 });
  });
});

describe("remote actions' archives", () => {
  it("keeps an archive while its ActionArchive row names it, and collects it once the row is gone", async () => {
    const stored = await archive("an action's tarball", 2 * DAY);
    const row = await db.system("test").actionArchive.create({
      data: { id: randomId("actarc"), tenantId, repository: "actions/checkout", sha: "c".repeat(40), source: "github", objectKey: stored.objectKey, sha256: stored.sha256, sizeBytes: stored.sizeBytes },
    });
    expect((await sweepStorage(db, store, DEFAULT_RETENTION)).objectsDeleted).toBe(0);
    expect(await store.exists(stored.objectKey)).toBe(true);
    await db.system("test").actionArchive.delete({ where: { id: row.id } });
    expect((await sweepStorage(db, store, DEFAULT_RETENTION)).objectsDeleted).toBe(1);
    expect(await store.exists(stored.objectKey)).toBe(false);
  });
});

describe("a started worker", () => {
  it("sweeps through its job scheduler when GANTRY_STORAGE_DIR is set, and not at all without it", async () => {
    await artifact("expired-later", "expires before the worker starts", -1000);
    const keys = testRedis("retention");
    const { prefix } = keys;
    const base = { DATABASE_URL: testDb.url, REDIS_URL, GANTRY_QUEUE_PREFIX: prefix, GANTRY_WORKER_ID: prefix };
    const lines: string[] = [];
    const without = await startWorker(parseWorkerEnv(base), (line) => lines.push(line));
    await without.stop();
    expect(lines).toContain("storage retention: off (GANTRY_STORAGE_DIR is not set)");
    expect((await names()).artifacts).toContain("expired-later");

    const worker = await startWorker(parseWorkerEnv({ ...base, GANTRY_STORAGE_DIR: root }), (line) => lines.push(line));
    try {
      const deadline = Date.now() + 20_000;
      // The sweep deletes the row, then logs what it did: wait for both.
      while ((await names()).artifacts.includes("expired-later") || !lines.some((line) => /^storage retention: \d/.test(line))) {
        if (Date.now() > deadline) throw new Error(`the worker did not sweep: ${lines.join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(lines.some((line) => line.startsWith("storage retention: 1 expired artifact(s)"))).toBe(true);
    } finally {
      await worker.stop();
      await keys.close();
    }
  });
});
