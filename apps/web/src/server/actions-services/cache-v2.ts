// The cache service v2 (Twirp, `github.actions.results.api.v1.CacheService` at the origin of ACTIONS_RESULTS_URL):
// what @actions/cache ≥ 4 picks when ACTIONS_CACHE_SERVICE_V2 is set and GITHUB_SERVER_URL is not GHES. The bytes
// go to a signed blob URL with the Azure SDK (blob.ts) between CreateCacheEntry and FinalizeCacheEntryUpload.
import { z } from "zod";
import { authenticate } from "./auth";
import { signBlobUrl, serviceOrigin } from "./blob-url";
import { cacheKey, cacheVersion, lookupCache, reserveCache } from "./cache-entries";
import type { ActionsServiceDeps } from "./deps";
import { asTwirp, twirpBody } from "./twirp";
import { assembledUpload, cacheNumber, cacheUploadId, heldUpload, recordUpload } from "./uploads";

const int64 = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
const createRequest = z.object({ key: cacheKey, version: cacheVersion });
const finalizeRequest = z.object({ key: cacheKey, version: cacheVersion, size_bytes: int64 });
const downloadRequest = z.object({ key: cacheKey, restore_keys: z.array(cacheKey).max(9).default([]), version: cacheVersion });

export async function createCacheEntry(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await authenticate(request, deps, "write");
  if (!auth.ok) return asTwirp(auth.response);
  const body = await twirpBody(request, createRequest);
  if (!body.ok) return body.response;
  const reserved = await reserveCache(deps, auth.caller, body.value);
  if (!reserved.ok) {
    const detail = (await reserved.response.json()) as { error: string };
    return Response.json({ ok: false, signed_upload_url: "", message: detail.error });
  }
  const url = signBlobUrl(deps.urlSecret, serviceOrigin(request, deps.publicUrl), { op: "put", tenantId: auth.caller.tenantId, uploadId: reserved.uploadId, exp: deps.now() + deps.urlTtlMs });
  return Response.json({ ok: true, signed_upload_url: url, message: "" });
}

export async function finalizeCacheEntryUpload(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await authenticate(request, deps, "write");
  if (!auth.ok) return asTwirp(auth.response);
  const { caller } = auth;
  const body = await twirpBody(request, finalizeRequest);
  if (!body.ok) return body.response;
  const cacheId = cacheNumber(caller.run.repositoryId, caller.run.ref, body.value.key, body.value.version);
  const uploadId = cacheUploadId(cacheId);
  const held = await heldUpload(deps, caller.tenantId, uploadId, caller.attemptId);
  if (!held.ok) return Response.json({ ok: false, entry_id: "0", message: "No upload of this cache entry by this job is pending." });
  const object = await assembledUpload(deps, caller.tenantId, uploadId);
  if (!object || object.sizeBytes !== body.value.size_bytes)
    return Response.json({ ok: false, entry_id: "0", message: object ? `The uploaded blob is ${object.sizeBytes} bytes, not ${body.value.size_bytes}.` : "Nothing was uploaded to the entry's URL." });
  const recorded = await recordUpload(deps, caller, uploadId, held.meta, object);
  if (!recorded.ok) return asTwirp(recorded.response);
  return Response.json({ ok: true, entry_id: String(cacheId), message: "" });
}

export async function getCacheEntryDownloadUrl(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await authenticate(request, deps, "read");
  if (!auth.ok) return asTwirp(auth.response);
  const body = await twirpBody(request, downloadRequest);
  if (!body.ok) return body.response;
  const found = await lookupCache(deps, auth.caller, { key: body.value.key, restoreKeys: body.value.restore_keys, version: body.value.version });
  if (!found) return Response.json({ ok: false, signed_download_url: "", matched_key: "" });
  const url = signBlobUrl(deps.urlSecret, serviceOrigin(request, deps.publicUrl), { op: "get", tenantId: auth.caller.tenantId, sha256: found.sha256, sizeBytes: found.sizeBytes, exp: deps.now() + deps.urlTtlMs });
  return Response.json({ ok: true, signed_download_url: url, matched_key: found.key });
}
