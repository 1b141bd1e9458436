// Action archives in the object store (docs/actions.md "Verification"): one per tenant, repository and commit,
// downloaded once. The bytes are the content-addressed object cas/<tenant>/<sha256> (the signed object URLs serve it)
// and an ActionArchive row names it, so storage retention keeps it while the row exists. When the object is gone
// and the bytes are fetched again for a commit already known, they must hash to the recorded sha-256: otherwise
// the resolution is refused and nothing is stored.
//
// Once per commit: resolutions of the same commit in this process share one download (a promise per key), and
// across replicas a Postgres advisory lock on the key, held while checking, downloading and recording, makes the
// second one find the first one's row. The unique (tenantId, repository, sha) stays the last word.
import { createHash } from "node:crypto";
import { deterministicId, type Database } from "@gantry/db";
import { contentObjectKey, type DirectoryObjectStore } from "@gantry/storage";
import type { ActionSourceName } from "./source";

export interface StoredArchive {
  sha256: string;
  sizeBytes: number;
  source: ActionSourceName;
  /** Whether this call downloaded the bytes. */
  downloaded: boolean;
}

export class ArchiveChangedError extends Error {
  override readonly name = "ArchiveChangedError";
}

/** The bytes from a source, or why none could give them (`until`: a source refusing for now). */
export type Fetched = { bytes: Buffer; source: ActionSourceName } | { missing: string; until?: Date };

export interface ArchiveKey {
  tenantId: string;
  /** owner/repo, lower-cased. */
  repository: string;
  sha: string;
}

export class ArchiveUnavailableError extends Error {
  override readonly name = "ArchiveUnavailableError";
  constructor(
    message: string,
    readonly until?: Date,
  ) {
    super(message);
  }
}

const inFlight = new Map<string, Promise<StoredArchive>>();

/** How long one download may hold the per-commit lock (and its connection). */
const DOWNLOAD_LOCK_MS = 10 * 60_000;

/** The archive of `key` in the store, downloaded with `fetchBytes` only when it is not there yet. */
export function ensureArchive(database: Database, store: DirectoryObjectStore, key: ArchiveKey, fetchBytes: () => Promise<Fetched>): Promise<StoredArchive> {
  const id = `${key.tenantId}|${key.repository}|${key.sha}`;
  const running = inFlight.get(id);
  if (running) return running.then((archive) => ({ ...archive, downloaded: false }));
  const work = ensure(database, store, key, id, fetchBytes).finally(() => inFlight.delete(id));
  inFlight.set(id, work);
  return work;
}

async function ensure(database: Database, store: DirectoryObjectStore, key: ArchiveKey, lockKey: string, fetchBytes: () => Promise<Fetched>): Promise<StoredArchive> {
  const where = { tenantId_repository_sha: { tenantId: key.tenantId, repository: key.repository, sha: key.sha } };
  const scope = database.forTenant({ tenantId: key.tenantId, actor: { kind: "RUNNER" } });
  const known = await scope.actionArchive.findUnique({ where });
  // touch, not exists: a present object is marked used, so a retention sweep racing an unrecorded one keeps it.
  if (known && (await store.touch(known.objectKey))) return { sha256: known.sha256, sizeBytes: Number(known.sizeBytes), source: sourceName(known.source), downloaded: false };

  return database.system("action archives: one download per tenant and commit, across replicas").$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`action-archive|${lockKey}`}, 0))`;
      const row = await tx.actionArchive.findUnique({ where });
      if (row && (await store.touch(row.objectKey))) return { sha256: row.sha256, sizeBytes: Number(row.sizeBytes), source: sourceName(row.source), downloaded: false };
      const fetched = await fetchBytes();
      if (!("bytes" in fetched)) throw new ArchiveUnavailableError(fetched.missing, fetched.until);
      const sha256 = createHash("sha256").update(fetched.bytes).digest("hex");
      if (row && row.sha256 !== sha256) {
        throw new ArchiveChangedError(`the archive of ${key.repository}@${key.sha} changed: sha-256 ${sha256} (from ${fetched.source}), expected ${row.sha256} as first downloaded from ${row.source}; nothing was stored`);
      }
      const objectKey = contentObjectKey(key.tenantId, sha256);
      if (!(await store.touch(objectKey))) await store.put(objectKey, fetched.bytes);
      if (!row) {
        await tx.actionArchive.create({
          data: { id: deterministicId("actarc", key.tenantId, key.repository, key.sha), tenantId: key.tenantId, repository: key.repository, sha: key.sha, sha256, sizeBytes: BigInt(fetched.bytes.length), source: fetched.source, objectKey },
        });
      }
      return { sha256, sizeBytes: fetched.bytes.length, source: fetched.source, downloaded: true };
    },
    { timeout: DOWNLOAD_LOCK_MS, maxWait: DOWNLOAD_LOCK_MS },
  );
}

const sourceName = (value: string): ActionSourceName => (value === "directory" || value === "github" || value === "mirror" ? value : "github");
