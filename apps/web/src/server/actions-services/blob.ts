// Just enough of the Azure Blob wire protocol for @azure/storage-blob's BlockBlobClient as the toolkit uses it, on
// signed URLs (blob-url.ts): `PUT ?comp=block&blockid=…` stages a block, `PUT ?comp=blocklist` with the XML list
// commits them in order, a plain `PUT` (`x-ms-blob-type: BlockBlob`) uploads the whole blob at once; `GET` (with a
// single `Range` if asked) downloads a content-addressed object. A committed blob waits, assembled and hashed, for
// the Twirp call that finalizes it (cache-v2.ts, artifact-v4.ts).
import { createHash, randomUUID } from "node:crypto";
import { contentObjectKey } from "@gantry/storage";
import { chunksOf, tenantScope } from "../runner-api/objects";
import { readBoundedBody } from "../http/bounded-body";
import { reportableAttempt } from "../runner-api/reportable-attempt";
import { verifyBlobUrl, type BlobGrant } from "./blob-url";
import type { ActionsServiceDeps } from "./deps";
import { assembleUpload, heldUpload, roomLeft } from "./uploads";

const API_VERSION = "2024-08-04";
const MAX_BLOCK_LIST_BYTES = 4 * 1024 * 1024;
const WHOLE = "whole";

/** Azure's error shape: the status, `x-ms-error-code` and an XML body. */
function azureError(status: number, code: string, message: string): Response {
  const escaped = message.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return new Response(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${escaped}</Message></Error>`, {
    status,
    headers: { "content-type": "application/xml", "x-ms-error-code": code, "x-ms-request-id": randomUUID(), "x-ms-version": API_VERSION },
  });
}

const created = (etag: string) =>
  new Response(null, {
    status: 201,
    headers: { etag: `"${etag}"`, "last-modified": new Date().toUTCString(), "x-ms-request-id": randomUUID(), "x-ms-version": API_VERSION, "x-ms-request-server-encrypted": "true", date: new Date().toUTCString() },
  });

/** A block's part name: its id hashed (ids are opaque base64 strings of up to 64 bytes). */
const blockName = (blockId: string) => `block-${createHash("sha256").update(blockId).digest("hex")}`;

const XML_ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'" };
/** The block ids of a `<BlockList>` in order (Latest, Committed and Uncommitted all name staged blocks here). */
export function blockListIds(xml: string): string[] | undefined {
  if (!/<BlockList>[\s\S]*<\/BlockList>/.test(xml)) return undefined;
  return [...xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)].map((match) => (match[2] ?? "").replace(/&(amp|lt|gt|quot|apos);/g, (entity) => XML_ENTITIES[entity] ?? entity));
}

export async function handleBlob(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const url = new URL(request.url);
  const check = verifyBlobUrl(deps.urlSecret, url, deps.now());
  if (!check.ok) return azureError(403, check.code === "url_expired" ? "AuthenticationFailed" : "AuthorizationFailure", check.error);
  const { grant } = check;
  if ((request.method === "GET" || request.method === "HEAD") && grant.op === "get") return download(request, deps, grant);
  if (request.method === "PUT" && grant.op === "put") return upload(request, url, deps, grant);
  return azureError(403, "AuthorizationPermissionMismatch", `This URL grants ${grant.op === "get" ? "GET" : "PUT"} only.`);
}

async function download(request: Request, deps: ActionsServiceDeps, grant: Extract<BlobGrant, { op: "get" }>): Promise<Response> {
  const key = contentObjectKey(grant.tenantId, grant.sha256);
  if (!(await deps.store.exists(key))) return azureError(404, "BlobNotFound", "The blob is gone (expired or collected).");
  const size = grant.sizeBytes;
  const headers: Record<string, string> = { "content-type": "application/octet-stream", "accept-ranges": "bytes", etag: `"${grant.sha256}"`, "x-ms-blob-type": "BlockBlob", "x-ms-version": API_VERSION, "x-ms-request-id": randomUUID() };
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.get("range") ?? "");
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(size - Number(range[2]), 0);
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
    const body = request.method === "HEAD" ? null : deps.store.openRange(key, start, end);
    return new Response(body, { status: 206, headers: { ...headers, "content-length": String(end - start + 1), "content-range": `bytes ${start}-${end}/${size}` } });
  }
  return new Response(request.method === "HEAD" ? null : deps.store.open(key), { status: 200, headers: { ...headers, "content-length": String(size) } });
}

async function upload(request: Request, url: URL, deps: ActionsServiceDeps, grant: Extract<BlobGrant, { op: "put" }>): Promise<Response> {
  const held = await heldUpload(deps, grant.tenantId, grant.uploadId);
  if (!held.ok) return azureError(404, "ContainerNotFound", "No pending upload by this URL (never reserved, or already finalized).");
  // Writes only while the attempt that reserved the upload is live.
  const live = await reportableAttempt(deps.database, held.meta.attemptId);
  if (!live.ok) return azureError(409, "LeaseLost", "The job that reserved this upload has ended.");
  const owner = { tenantId: grant.tenantId, scope: tenantScope(deps.database, grant.tenantId) };
  const comp = url.searchParams.get("comp");

  if (comp === "blocklist") {
    const body = await readBoundedBody(request, MAX_BLOCK_LIST_BYTES);
    const ids = body.ok ? blockListIds(body.bytes.toString("utf8")) : undefined;
    if (!ids) return azureError(400, "InvalidXmlDocument", "Expected a <BlockList> of at most 4 MiB.");
    const object = await assembleUpload(deps, owner, grant.uploadId, ids.map(blockName));
    if (!object.ok) return azureError(object.response.status === 413 ? 413 : 400, object.response.status === 413 ? "RequestBodyTooLarge" : "InvalidBlockList", ((await object.response.json()) as { error: string }).error);
    return created(object.sha256);
  }
  if (comp !== null && comp !== "block") return azureError(400, "UnsupportedQueryParameter", `comp=${comp} is not supported here.`);

  const name = comp === "block" ? blockName(url.searchParams.get("blockid") ?? "") : WHOLE;
  if (comp === "block" && !url.searchParams.get("blockid")) return azureError(400, "InvalidQueryParameterValue", "A block needs its blockid.");
  const staged = (await deps.staging.parts(grant.tenantId, grant.uploadId)).filter((part) => part.name !== name).reduce((sum, part) => sum + part.sizeBytes, 0);
  const room = (await roomLeft(deps, owner)) - staged;
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > room || room < 0) {
    await request.body?.cancel().catch(() => undefined);
    return azureError(413, "RequestBodyTooLarge", `The tenant's artifact and cache storage quota (${deps.quotaBytes} bytes) would be exceeded.`);
  }
  const written = await deps.staging.writePart(grant.tenantId, grant.uploadId, name, request.body ? chunksOf(request.body) : emptyBody(), Math.max(room, 0));
  if (!written.ok) return azureError(413, "RequestBodyTooLarge", `The tenant's artifact and cache storage quota (${deps.quotaBytes} bytes) would be exceeded.`);
  if (comp === "block") return created(name);
  const object = await assembleUpload(deps, owner, grant.uploadId, [WHOLE]);
  if (!object.ok) return azureError(413, "RequestBodyTooLarge", "The blob does not fit the quota.");
  return created(object.sha256);
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}
