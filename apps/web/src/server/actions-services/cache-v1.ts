// The cache service v1 as GitHub Enterprise Server serves it, at ACTIONS_CACHE_URL (`<base>_apis/artifactcache/…`):
// what @actions/cache picks whenever GITHUB_SERVER_URL is not github.com (isGhes()). Lookup answers 200 with a
// signed `archiveLocation` or 204; a save reserves a numeric cacheId, PATCHes chunks with `Content-Range`
// (in parallel, in any order) and commits with the total size.
import { z } from "zod";
import { chunksOf } from "../runner-api/objects";
import { readBody, refuse } from "../runner-api/respond";
import { authenticate } from "./auth";
import { signBlobUrl, serviceOrigin } from "./blob-url";
import { cacheKey, cacheVersion, lookupCache, reserveCache } from "./cache-entries";
import type { ActionsServiceDeps } from "./deps";
import { assembleUpload, cacheUploadId, heldUpload, recordUpload, roomLeft } from "./uploads";

const reserveBody = z.object({ key: cacheKey, version: cacheVersion, cacheSize: z.number().int().nonnegative().optional() });
const commitBody = z.object({ size: z.number().int().nonnegative() });
const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(?:\*|\d+)$/;
/** Chunk part names sort by offset. */
const chunkName = (start: number) => `chunk-${String(start).padStart(15, "0")}`;

/** GET _apis/artifactcache/cache?keys=k1,k2&version=v */
export async function lookupV1(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await authenticate(request, deps, "read");
  if (!auth.ok) return auth.response;
  const url = new URL(request.url);
  const keys = z.array(cacheKey).min(1).max(10).safeParse((url.searchParams.get("keys") ?? "").split(",").filter(Boolean));
  const version = cacheVersion.safeParse(url.searchParams.get("version"));
  if (!keys.success || !version.success) return refuse(400, "invalid_query", "Expected `keys` (1 to 10, comma-separated) and `version` (a sha-256 in hex).");
  const [key = "", ...restoreKeys] = keys.data;
  const found = await lookupCache(deps, auth.caller, { key, restoreKeys, version: version.data });
  if (!found) return new Response(null, { status: 204 });
  const archiveLocation = signBlobUrl(deps.urlSecret, serviceOrigin(request, deps.publicUrl), { op: "get", tenantId: auth.caller.tenantId, sha256: found.sha256, sizeBytes: found.sizeBytes, exp: deps.now() + deps.urlTtlMs });
  return Response.json({ cacheKey: found.key, scope: found.scope, cacheVersion: version.data, creationTime: found.createdAt.toISOString(), archiveLocation });
}

/** POST _apis/artifactcache/caches {key, version, cacheSize} → {cacheId} */
export async function reserveV1(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await authenticate(request, deps, "write");
  if (!auth.ok) return auth.response;
  const body = await readBody(request, reserveBody);
  if (!body.ok) return body.response;
  const reserved = await reserveCache(deps, auth.caller, { key: body.value.key, version: body.value.version, ...(body.value.cacheSize === undefined ? {} : { sizeBytes: body.value.cacheSize }) });
  if (!reserved.ok) return reserved.reason === "exists" || reserved.reason === "reserved" ? refuse(409, "cache_reserved", `Cache ${JSON.stringify(body.value.key)} is already saved or being saved.`) : reserved.response;
  return Response.json({ cacheId: reserved.cacheId }, { status: 201 });
}

/** PATCH _apis/artifactcache/caches/:id with Content-Range: bytes start-end/* */
export async function uploadChunkV1(request: Request, deps: ActionsServiceDeps, cacheId: number): Promise<Response> {
  const auth = await authenticate(request, deps, "write");
  if (!auth.ok) return auth.response;
  const { caller } = auth;
  const uploadId = cacheUploadId(cacheId);
  const held = await heldUpload(deps, caller.tenantId, uploadId, caller.attemptId);
  if (!held.ok) return held.response;
  const range = CONTENT_RANGE.exec(request.headers.get("content-range") ?? "");
  const start = Number(range?.[1]);
  const end = Number(range?.[2]);
  if (!range || !Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return refuse(400, "invalid_range", "Expected `Content-Range: bytes <start>-<end>/*`.");
  const length = end - start + 1;
  const staged = (await deps.staging.parts(caller.tenantId, uploadId)).filter((part) => part.name !== chunkName(start)).reduce((sum, part) => sum + part.sizeBytes, 0);
  if (staged + length > (await roomLeft(deps, caller))) {
    await request.body?.cancel().catch(() => undefined);
    return refuse(413, "over_quota", `The tenant's artifact and cache storage quota (${deps.quotaBytes} bytes) would be exceeded.`);
  }
  if (!request.body) return refuse(400, "size_mismatch", "The chunk has no body.");
  const written = await deps.staging.writePart(caller.tenantId, uploadId, chunkName(start), chunksOf(request.body), length);
  if (!written.ok || written.sizeBytes !== length) {
    await deps.staging.remove(caller.tenantId, uploadId).catch(() => undefined);
    return refuse(400, "size_mismatch", `The chunk is not the ${length} bytes its Content-Range says; the upload was dropped.`);
  }
  return new Response(null, { status: 204 });
}

/** POST _apis/artifactcache/caches/:id {size}: the chunks, contiguous from 0, become the entry. */
export async function commitV1(request: Request, deps: ActionsServiceDeps, cacheId: number): Promise<Response> {
  const auth = await authenticate(request, deps, "write");
  if (!auth.ok) return auth.response;
  const { caller } = auth;
  const body = await readBody(request, commitBody);
  if (!body.ok) return body.response;
  const uploadId = cacheUploadId(cacheId);
  const held = await heldUpload(deps, caller.tenantId, uploadId, caller.attemptId);
  if (!held.ok) return held.response;
  const parts = (await deps.staging.parts(caller.tenantId, uploadId)).sort((a, b) => a.name.localeCompare(b.name));
  let offset = 0;
  for (const part of parts) {
    if (part.name !== chunkName(offset)) return refuse(400, "chunks_not_contiguous", `No chunk starts at byte ${offset}.`);
    offset += part.sizeBytes;
  }
  if (offset !== body.value.size) return refuse(400, "size_mismatch", `The chunks hold ${offset} bytes, not the committed ${body.value.size}.`);
  const object = await assembleUpload(deps, caller, uploadId, parts.map((part) => part.name));
  if (!object.ok) return object.response;
  const recorded = await recordUpload(deps, caller, uploadId, held.meta, object);
  if (!recorded.ok) return recorded.response;
  return new Response(null, { status: 204 });
}
