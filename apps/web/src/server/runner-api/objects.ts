// Artifacts and caches (docs/runner-protocol.md): the grant routes answer expiring signed URLs of the object
// route, and the object route moves the bytes. An upload is verified (signature, expiry, quota, size, sha256)
// before anything is written, stored content-addressed per tenant, then recorded as an Artifact or CacheEntry row
// idempotently: the same bytes again store nothing, other bytes under a taken name are a 409 and leave no row.
import { createHmac } from "node:crypto";
import { deterministicId, Prisma, type Database, type TenantClient } from "@gantry/db";
import { objectPutResponse, type ObjectGrant } from "@gantry/runner-protocol";
import { getServices } from "../services";
import { contentObjectKey, DirectoryObjectStore } from "@gantry/storage";
import { signObjectUrl, verifyObjectUrl, type ObjectRecord } from "../storage/signed-url";
import type { z } from "zod";
import { attemptForToken } from "./attempt-auth";
import { reportableAttempt } from "./reportable-attempt";
import { readBody, refuse } from "./respond";

export interface ObjectDeps {
  database: Database;
  store: DirectoryObjectStore;
  /** Signs and verifies object URLs. */
  secret: string;
  /** Per tenant: bytes of live artifacts plus caches. */
  quotaBytes: number;
  /** How long a granted URL stays valid (ms). */
  urlTtlMs: number;
  now: () => number;
}

export const OBJECT_URL_TTL_MS = 10 * 60_000;

/** The object routes' dependencies from the process-wide services and env. */
export function objectDeps(): ObjectDeps {
  const { database, env } = getServices();
  return {
    database,
    store: new DirectoryObjectStore(env.storageDir),
    secret: env.GANTRY_OBJECT_URL_SECRET ?? createHmac("sha256", env.NEXTAUTH_SECRET).update("gantry object urls").digest("hex"),
    quotaBytes: env.GANTRY_STORAGE_QUOTA_BYTES,
    urlTtlMs: OBJECT_URL_TTL_MS,
    now: Date.now,
  };
}

export const tenantScope = (database: Database, tenantId: string) => database.forTenant({ tenantId, actor: { kind: "RUNNER" } });

/** A grant request's body, from a live attempt holding its job token: the body, its tenant scope and job, or the refusal. */
export async function liveGrantRequest<T extends { attemptId: string }>(request: Request, deps: ObjectDeps, schema: z.ZodType<T>) {
  const body = await readBody(request, schema);
  if (!body.ok) return body;
  const auth = await attemptForToken(request, deps.database, body.value.attemptId);
  if (!auth.ok) return auth;
  const live = await reportableAttempt(deps.database, body.value.attemptId);
  if (!live.ok) return live;
  const { tenantId } = auth.attempt;
  return { ok: true as const, value: body.value, tenantId, scope: tenantScope(deps.database, tenantId), jobRunId: live.jobRunId };
}

/** Bytes the tenant holds: artifacts not yet expired plus every cache entry. */
export async function usedBytes(scope: TenantClient, now: Date): Promise<number> {
  const [artifacts, caches] = await Promise.all([
    scope.artifact.aggregate({ where: { expiresAt: { gt: now } }, _sum: { sizeBytes: true } }),
    scope.cacheEntry.aggregate({ _sum: { sizeBytes: true } }),
  ]);
  return Number(artifacts._sum.sizeBytes ?? 0n) + Number(caches._sum.sizeBytes ?? 0n);
}

export const overQuota = (quota: number) => refuse(413, "over_quota", `The tenant's artifact and cache storage quota (${quota} bytes) would be exceeded.`, { quotaBytes: quota });

/** A signed URL for the object route. */
export function grantUrl(deps: ObjectDeps, grant: { op: "put" | "get"; tenantId: string; sha256: string; sizeBytes: number; record?: ObjectRecord }): ObjectGrant {
  const exp = deps.now() + deps.urlTtlMs;
  return { url: signObjectUrl(deps.secret, { ...grant, exp }), expiresAt: exp };
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

/** Records the verified object; false when the same bytes were recorded before, a 409 when other bytes were. */
export async function recordObject(scope: TenantClient, tenantId: string, record: ObjectRecord, sha256: string, sizeBytes: number, objectKey: string): Promise<boolean | Response> {
  try {
    if (record.kind === "artifact") {
      await scope.artifact.create({ data: { id: deterministicId("art", record.runId, record.name), tenantId, runId: record.runId, name: record.name, sizeBytes: BigInt(sizeBytes), sha256, objectKey, expiresAt: new Date(record.expiresAt), attemptId: record.attemptId ?? null } });
    } else {
      await scope.cacheEntry.create({
        data: { id: deterministicId("cache", record.repositoryId, record.scope, record.key, record.version), tenantId, repositoryId: record.repositoryId, scope: record.scope, key: record.key, version: record.version, sizeBytes: BigInt(sizeBytes), sha256, objectKey },
      });
    }
    return true;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const existing =
    record.kind === "artifact"
      ? await scope.artifact.findUnique({ where: { runId_name: { runId: record.runId, name: record.name } }, select: { sha256: true } })
      : await scope.cacheEntry.findUnique({ where: { repositoryId_scope_key_version: { repositoryId: record.repositoryId, scope: record.scope, key: record.key, version: record.version } }, select: { sha256: true } });
  if (existing?.sha256 === sha256 || record.kind === "cache") return false;
  return refuse(409, "artifact_conflict", `The run already has an artifact named ${JSON.stringify(record.name)} with other content.`);
}

/** PUT and GET /api/runner/v1/objects?g=…&sig=…: the bytes of a granted object. */
export async function handleObject(request: Request, deps: ObjectDeps): Promise<Response> {
  const check = verifyObjectUrl(deps.secret, new URL(request.url), deps.now());
  if (!check.ok) return refuse(403, check.code, check.error);
  const { grant } = check;
  const objectKey = contentObjectKey(grant.tenantId, grant.sha256);
  if (request.method === "GET" && grant.op === "get") {
    if (!(await deps.store.exists(objectKey))) return refuse(404, "object_missing", "The object is gone (expired or collected).");
    return new Response(deps.store.open(objectKey), { headers: { "content-type": "application/gzip", "content-length": String(grant.sizeBytes) } });
  }
  if (request.method !== "PUT" || grant.op !== "put" || !grant.record) return refuse(403, "wrong_method", `This URL grants ${grant.op === "put" ? "PUT" : "GET"} only.`);
  if (Number(request.headers.get("content-length") ?? 0) > grant.sizeBytes) {
    await request.body?.cancel().catch(() => undefined);
    return refuse(413, "too_large", `The body is longer than the granted ${grant.sizeBytes} bytes; nothing was read.`);
  }
  const scope = tenantScope(deps.database, grant.tenantId);
  if ((await usedBytes(scope, new Date(deps.now()))) + grant.sizeBytes > deps.quotaBytes) return overQuota(deps.quotaBytes);
  // Touched, not just checked: the retention sweep keeps an object a writer is about to record (storage collect).
  if (!(await deps.store.touch(objectKey))) {
    if (!request.body) return refuse(400, "size_mismatch", `Expected ${grant.sizeBytes} bytes, got none.`);
    const put = await deps.store.putVerified(objectKey, chunksOf(request.body), grant);
    if (!put.ok) {
      if (put.reason === "hash_mismatch") return refuse(400, "hash_mismatch", "The bytes do not hash to the granted sha256; nothing was stored.");
      if (put.reason === "too_long") return refuse(413, "too_large", `The body is longer than the granted ${grant.sizeBytes} bytes; the rest was not read and nothing was stored.`);
      return refuse(400, "size_mismatch", `The body is not the granted ${grant.sizeBytes} bytes; nothing was stored.`);
    }
  } else {
    // Content-addressed: the bytes are there already; the body is not needed.
    await request.body?.cancel();
  }
  const recorded = await recordObject(scope, grant.tenantId, grant.record, grant.sha256, grant.sizeBytes, objectKey);
  if (recorded instanceof Response) return recorded;
  return Response.json(objectPutResponse.parse({ stored: recorded, sha256: grant.sha256, sizeBytes: grant.sizeBytes }));
}

export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
