// Storage retention (the `storage-retention` job): artifacts past their retention-days, caches unused for a week
// or past a repository's size cap (least recently used first, as GitHub evicts), then every archive object no
// row (artifact, cache entry, remote action's archive) names any more. Rows go first; an object goes only through
// the store's `collect`, which keeps anything a writer touched within the grace period or that a row names again
// by the time it is deleted. Last, uploads of the actions toolkit that were reserved and never committed.
import type { Database } from "@gantry/db";
import { CONTENT_PREFIX, UploadStaging, type DirectoryObjectStore } from "@gantry/storage";

export interface RetentionPolicy {
  /** A cache entry nobody restored or saved for this long is evicted (GitHub: 7 days). */
  cacheUnusedMs: number;
  /** Above this many bytes of cache entries, a repository loses its least recently used ones (GitHub: 10 GiB). */
  cacheMaxBytesPerRepository: number;
  /** An unnamed object written or touched more recently than this is kept (a writer may be about to record it). */
  objectGraceMs: number;
  /** An upload of the actions toolkit reserved and not written to for this long was abandoned (its parts go). */
  uploadStaleMs: number;
}

export interface RetentionReport {
  artifactsExpired: number;
  cachesUnused: number;
  cachesOverCap: number;
  objectsDeleted: number;
  bytesFreed: number;
  uploadsAbandoned: number;
}

const DAY_MS = 24 * 3600_000;

export const DEFAULT_RETENTION: RetentionPolicy = { cacheUnusedMs: 7 * DAY_MS, cacheMaxBytesPerRepository: 10 * 1024 ** 3, objectGraceMs: 3600_000, uploadStaleMs: DAY_MS };

export async function sweepStorage(db: Database, store: DirectoryObjectStore, policy: RetentionPolicy, now = new Date()): Promise<RetentionReport> {
  const sys = db.system("storage retention: expired artifacts, evicted caches, unnamed objects");
  const report: RetentionReport = { artifactsExpired: 0, cachesUnused: 0, cachesOverCap: 0, objectsDeleted: 0, bytesFreed: 0, uploadsAbandoned: 0 };

  report.artifactsExpired = (await sys.artifact.deleteMany({ where: { expiresAt: { lte: now } } })).count;
  report.cachesUnused = (await sys.cacheEntry.deleteMany({ where: { lastUsedAt: { lt: new Date(now.getTime() - policy.cacheUnusedMs) } } })).count;

  const sizes = await sys.cacheEntry.groupBy({ by: ["repositoryId"], _sum: { sizeBytes: true } });
  for (const repository of sizes) {
    let total = Number(repository._sum.sizeBytes ?? 0n);
    if (total <= policy.cacheMaxBytesPerRepository) continue;
    const entries = await sys.cacheEntry.findMany({ where: { repositoryId: repository.repositoryId }, orderBy: [{ lastUsedAt: "asc" }, { createdAt: "asc" }], select: { id: true, sizeBytes: true } });
    const evict: string[] = [];
    for (const entry of entries) {
      if (total <= policy.cacheMaxBytesPerRepository) break;
      evict.push(entry.id);
      total -= Number(entry.sizeBytes);
    }
    report.cachesOverCap += (await sys.cacheEntry.deleteMany({ where: { id: { in: evict } } })).count;
  }

  // Every archive object of every tenant: one set of the names rows still use, then collect the rest.
  const named = new Set<string>();
  // Remote actions' archives (ActionArchive, docs/actions.md) share the space and are kept while their row exists.
  for (const rows of [
    await sys.artifact.findMany({ select: { objectKey: true }, distinct: ["objectKey"] }),
    await sys.cacheEntry.findMany({ select: { objectKey: true }, distinct: ["objectKey"] }),
    await sys.actionArchive.findMany({ select: { objectKey: true }, distinct: ["objectKey"] }),
  ]) {
    for (const row of rows) named.add(row.objectKey);
  }
  const unusedSince = new Date(now.getTime() - policy.objectGraceMs);
  const stillNamed = async (objectKey: string) =>
    (await sys.artifact.count({ where: { objectKey } })) + (await sys.cacheEntry.count({ where: { objectKey } })) + (await sys.actionArchive.count({ where: { objectKey } })) > 0;
  for await (const object of store.list(CONTENT_PREFIX)) {
    if (named.has(object.key) || object.modifiedAt >= unusedSince) continue;
    const size = object.sizeBytes;
    if ((await store.collect(object.key, unusedSince, () => stillNamed(object.key))) === "deleted") {
      report.objectsDeleted += 1;
      report.bytesFreed += size;
    }
  }
  // The toolkit services' staged uploads (apps/web actions-services) whose job never committed them.
  report.uploadsAbandoned = await new UploadStaging(store).sweep(new Date(now.getTime() - policy.uploadStaleMs));
  return report;
}
