// The toolkit's uploads, staged until they are committed (UploadStaging in @gantry/storage), and what they become:
// a CacheEntry or an Artifact row over a content-addressed object, under the same scoping and quota as the native
// actions. An upload's id is derived from what it will become, so the toolkit's numeric ids (a v1 `cacheId`, an
// artifact's `database_id`) need no table: the same key + version (or run + name) is the same upload.
import { createHash } from "node:crypto";
import { deterministicId } from "@gantry/db";
import { contentObjectKey } from "@gantry/storage";
import { z } from "zod";
import { overQuota, recordObject, usedBytes } from "../runner-api/objects";
import { refuse } from "../runner-api/respond";
import { reportableAttempt } from "../runner-api/reportable-attempt";
import type { ServiceCaller } from "./auth";
import type { ActionsServiceDeps } from "./deps";

/** A safe integer from a hash: the toolkit's ids are int64 (v1 `cacheId`, artifacts' `database_id`). */
const numberOf = (...parts: string[]) => Number.parseInt(createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 12), 16);

export const cacheNumber = (repositoryId: string, scope: string, key: string, version: string) => numberOf("cache", repositoryId, scope, key, version);
export const artifactNumber = (runId: string, name: string) => numberOf("artifact", runId, name);
export const cacheUploadId = (cacheId: number) => `cache-${cacheId}`;
export const artifactUploadId = (artifactId: number) => `artifact-${artifactId}`;

export const uploadMeta = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("cache"), attemptId: z.string(), repositoryId: z.string(), scope: z.string(), key: z.string(), version: z.string() }),
  z.object({ kind: z.literal("artifact"), attemptId: z.string(), runId: z.string(), name: z.string(), expiresAt: z.number().int() }),
]);
export type UploadMeta = z.infer<typeof uploadMeta>;

const assembled = z.object({ sha256: z.string(), sizeBytes: z.number().int().nonnegative() });

export type Refusal = { ok: false; response: Response };

/**
 * Reserves an upload for the caller. Another live attempt holding it is a 409 (GitHub's "another job may be creating
 * this cache"); a holder that is no longer live (a lost or finished attempt) gave it up.
 */
export async function reserveUpload(deps: ActionsServiceDeps, caller: ServiceCaller, uploadId: string, meta: UploadMeta): Promise<{ ok: true } | Refusal> {
  const { staging } = deps;
  for (let tries = 0; tries < 2; tries++) {
    if (await staging.reserve(caller.tenantId, uploadId, meta)) return { ok: true };
    const held = uploadMeta.safeParse(await staging.meta(caller.tenantId, uploadId));
    if (held.success && held.data.attemptId === caller.attemptId) {
      // The same attempt again (a retried request, or a second try after a failure): start over.
      await staging.remove(caller.tenantId, uploadId);
      continue;
    }
    if (held.success && (await reportableAttempt(deps.database, held.data.attemptId)).ok) break;
    await staging.remove(caller.tenantId, uploadId);
  }
  return { ok: false, response: refuse(409, "upload_reserved", "Another job is uploading this entry now.") };
}

/** The upload's metadata when the caller's attempt holds it; otherwise the 404 to send. */
export async function heldUpload(deps: ActionsServiceDeps, tenantId: string, uploadId: string, attemptId?: string): Promise<{ ok: true; meta: UploadMeta } | Refusal> {
  const meta = uploadMeta.safeParse(await deps.staging.meta(tenantId, uploadId));
  if (!meta.success || (attemptId !== undefined && meta.data.attemptId !== attemptId)) return { ok: false, response: refuse(404, "no_such_upload", "No upload of this job by that id (never reserved, or already committed).") };
  return { ok: true, meta: meta.data };
}

/** Bytes the tenant may still store. */
export async function roomLeft(deps: ActionsServiceDeps, caller: { scope: ServiceCaller["scope"] }): Promise<number> {
  return deps.quotaBytes - (await usedBytes(caller.scope, new Date(deps.now())));
}

/** Assembles `parts` in order into the content-addressed store and notes the result, within the quota. */
export async function assembleUpload(deps: ActionsServiceDeps, caller: { tenantId: string; scope: ServiceCaller["scope"] }, uploadId: string, parts: string[]): Promise<{ ok: true; sha256: string; sizeBytes: number } | Refusal> {
  const room = await roomLeft(deps, caller);
  const result = await deps.staging.assemble(caller.tenantId, uploadId, parts, (sha256) => contentObjectKey(caller.tenantId, sha256), Math.max(room, 0));
  if (!result.ok) return { ok: false, response: result.reason === "too_long" ? overQuota(deps.quotaBytes) : refuse(400, "missing_part", "A block or chunk named in the commit was never uploaded.") };
  await deps.staging.complete(caller.tenantId, uploadId, { sha256: result.sha256, sizeBytes: result.sizeBytes });
  return result;
}

/** What an upload assembled to, when it was committed. */
export async function assembledUpload(deps: ActionsServiceDeps, tenantId: string, uploadId: string) {
  const result = assembled.safeParse(await deps.staging.result(tenantId, uploadId));
  return result.success ? result.data : undefined;
}

/**
 * Records the assembled object as the row its reservation named, then forgets the upload. A cache entry that
 * exists already (another job won) is no error: entries are immutable and the first save wins.
 */
export async function recordUpload(deps: ActionsServiceDeps, caller: { tenantId: string; scope: ServiceCaller["scope"] }, uploadId: string, meta: UploadMeta, object: { sha256: string; sizeBytes: number }): Promise<{ ok: true } | Refusal> {
  const objectKey = contentObjectKey(caller.tenantId, object.sha256);
  const record =
    meta.kind === "cache"
      ? { kind: "cache" as const, repositoryId: meta.repositoryId, scope: meta.scope, key: meta.key, version: meta.version }
      : { kind: "artifact" as const, runId: meta.runId, name: meta.name, expiresAt: meta.expiresAt, attemptId: meta.attemptId };
  const recorded = await recordObject(caller.scope, caller.tenantId, record, object.sha256, object.sizeBytes, objectKey);
  await deps.staging.remove(caller.tenantId, uploadId);
  if (recorded instanceof Response) return { ok: false, response: recorded };
  return { ok: true };
}

/** The id of an artifact row (as the native upload-artifact makes it). */
export const artifactRowId = (runId: string, name: string) => deterministicId("art", runId, name);
