// What the cache services (v1 REST, v2 Twirp) share: keys and versions as the toolkit sends them, finding an entry
// for a restore (the native actions/cache's scopes and order, runner-api/cache-lookup.ts), and reserving a save in
// the run's own ref scope.
import { z } from "zod";
import { findCacheEntry } from "../runner-api/cache-lookup";
import { refuse } from "../runner-api/respond";
import type { ServiceCaller } from "./auth";
import type { ActionsServiceDeps } from "./deps";
import { cacheNumber, cacheUploadId, reserveUpload, roomLeft, type Refusal } from "./uploads";

/** The toolkit's limits: a key is at most 512 characters without commas; the version is a sha-256 in hex. */
export const cacheKey = z.string().min(1).max(512).refine((key) => !key.includes(","), "a cache key may not contain a comma");
export const cacheVersion = z.string().regex(/^[0-9a-f]{64}$/, "the version is a sha-256 in hex");

export function lookupCache(deps: ActionsServiceDeps, caller: ServiceCaller, wanted: { key: string; restoreKeys: string[]; version: string }) {
  return findCacheEntry(deps.database, caller.scope, caller.tenantId, caller.run, wanted, new Date(deps.now()));
}

export type CacheReservation = { ok: true; cacheId: number; uploadId: string } | (Refusal & { reason: "forbidden" | "exists" | "over_quota" | "reserved" });

/** Reserves a save of `key` at `version` into the run's own ref scope (immutable: an existing entry is a refusal). */
export async function reserveCache(deps: ActionsServiceDeps, caller: ServiceCaller, wanted: { key: string; version: string; sizeBytes?: number }): Promise<CacheReservation> {
  const { run } = caller;
  // Invariant 8: untrusted code never writes a scope that trusted runs read.
  if (!run.trusted && !run.ref.startsWith("refs/pull/"))
    return { ok: false, reason: "forbidden", response: refuse(403, "cache_write_forbidden", `A run of untrusted code may not write caches of ${run.ref}, which trusted runs read.`) };
  const where = { repositoryId_scope_key_version: { repositoryId: run.repositoryId, scope: run.ref, key: wanted.key, version: wanted.version } };
  if (await caller.scope.cacheEntry.findUnique({ where, select: { id: true } }))
    return { ok: false, reason: "exists", response: refuse(409, "cache_exists", `A cache entry ${JSON.stringify(wanted.key)} of this version exists in ${run.ref}; entries are immutable.`) };
  if (wanted.sizeBytes !== undefined && wanted.sizeBytes > (await roomLeft(deps, caller)))
    return { ok: false, reason: "over_quota", response: refuse(400, "over_quota", `Saving ${wanted.sizeBytes} bytes would exceed the tenant's artifact and cache storage quota (${deps.quotaBytes} bytes).`) };
  const cacheId = cacheNumber(run.repositoryId, run.ref, wanted.key, wanted.version);
  const uploadId = cacheUploadId(cacheId);
  const reserved = await reserveUpload(deps, caller, uploadId, { kind: "cache", attemptId: caller.attemptId, repositoryId: run.repositoryId, scope: run.ref, key: wanted.key, version: wanted.version });
  if (!reserved.ok) return { ...reserved, reason: "reserved" };
  return { ok: true, cacheId, uploadId };
}
