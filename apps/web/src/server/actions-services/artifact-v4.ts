// The artifact service v4 (Twirp, `github.actions.results.api.v1.ArtifactService` at the origin of
// ACTIONS_RESULTS_URL): what @actions/artifact ≥ 2 (upload-artifact@v4 and later) speaks. Artifacts are the run's
// own (the backend ids the token names), stored as Artifact rows like the native upload-artifact's, with the same
// retention cap and quota. The toolkit's archive is a zip, kept as the bytes it uploaded.
import { z } from "zod";
import { ARTIFACT_RETENTION_DAYS } from "../runner-api/artifacts";
import { authenticate, type ServiceCaller } from "./auth";
import { signBlobUrl, serviceOrigin } from "./blob-url";
import type { ActionsServiceDeps } from "./deps";
import { asTwirp, twirpBody, twirpError } from "./twirp";
import { artifactNumber, artifactUploadId, assembledUpload, heldUpload, recordUpload, reserveUpload } from "./uploads";

const DAY_MS = 24 * 60 * 60_000;
const int64 = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
const ids = { workflow_run_backend_id: z.string(), workflow_job_run_backend_id: z.string() };
// upload-artifact's own rule: no `"`, `:`, `<`, `>`, `|`, `*`, `?`, `\r`, `\n`, `\`, `/`.
const artifactName = z.string().min(1).max(255).regex(/^[^":<>|*?\r\n\\/]+$/, "an artifact name may not contain \" : < > | * ? \\ / or line breaks");
const createRequest = z.object({ ...ids, name: artifactName, expires_at: z.string().datetime({ offset: true }).optional(), version: z.number().int().optional() });
const finalizeRequest = z.object({ ...ids, name: artifactName, size: int64, hash: z.string().optional() });
const listRequest = z.object({ ...ids, name_filter: z.string().optional(), id_filter: int64.optional() });
const nameRequest = z.object({ ...ids, name: artifactName });

/** The caller's own run and job: a request naming other backend ids is refused. */
function sameJob(caller: ServiceCaller, body: { workflow_run_backend_id: string; workflow_job_run_backend_id: string }): Response | undefined {
  if (body.workflow_run_backend_id !== caller.runId || body.workflow_job_run_backend_id !== caller.jobRunId) return twirpError("unauthenticated", "The backend ids are not the ones the runtime token names.");
  return undefined;
}

async function callerFor(request: Request, deps: ActionsServiceDeps, access: "read" | "write") {
  const auth = await authenticate(request, deps, access);
  return auth.ok ? auth : { ok: false as const, response: await asTwirp(auth.response) };
}

export async function createArtifact(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await callerFor(request, deps, "write");
  if (!auth.ok) return auth.response;
  const { caller } = auth;
  const body = await twirpBody(request, createRequest);
  if (!body.ok) return body.response;
  const other = sameJob(caller, body.value);
  if (other) return other;
  const { name } = body.value;
  if (await caller.scope.artifact.findUnique({ where: { runId_name: { runId: caller.runId, name } }, select: { id: true } }))
    return twirpError("already_exists", `The run already has an artifact named ${JSON.stringify(name)}.`);
  const now = deps.now();
  const latest = now + ARTIFACT_RETENTION_DAYS.max * DAY_MS;
  const asked = body.value.expires_at ? Date.parse(body.value.expires_at) : now + ARTIFACT_RETENTION_DAYS.default * DAY_MS;
  const artifactId = artifactNumber(caller.runId, name);
  const uploadId = artifactUploadId(artifactId);
  const reserved = await reserveUpload(deps, caller, uploadId, { kind: "artifact", attemptId: caller.attemptId, runId: caller.runId, name, expiresAt: Math.min(asked, latest) });
  if (!reserved.ok) return asTwirp(reserved.response);
  const url = signBlobUrl(deps.urlSecret, serviceOrigin(request, deps.publicUrl), { op: "put", tenantId: caller.tenantId, uploadId, exp: now + deps.urlTtlMs });
  return Response.json({ ok: true, signed_upload_url: url });
}

export async function finalizeArtifact(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await callerFor(request, deps, "write");
  if (!auth.ok) return auth.response;
  const { caller } = auth;
  const body = await twirpBody(request, finalizeRequest);
  if (!body.ok) return body.response;
  const other = sameJob(caller, body.value);
  if (other) return other;
  const artifactId = artifactNumber(caller.runId, body.value.name);
  const uploadId = artifactUploadId(artifactId);
  const held = await heldUpload(deps, caller.tenantId, uploadId, caller.attemptId);
  if (!held.ok) return twirpError("not_found", `No upload of artifact ${JSON.stringify(body.value.name)} by this job is pending.`);
  const object = await assembledUpload(deps, caller.tenantId, uploadId);
  if (!object) return twirpError("failed_precondition", "Nothing was uploaded to the artifact's URL.");
  if (object.sizeBytes !== body.value.size) return twirpError("invalid_argument", `The uploaded blob is ${object.sizeBytes} bytes, not ${body.value.size}.`);
  if (body.value.hash !== undefined && body.value.hash !== `sha256:${object.sha256}`) return twirpError("invalid_argument", "The uploaded blob does not hash to the given sha256.");
  const recorded = await recordUpload(deps, caller, uploadId, held.meta, object);
  if (!recorded.ok) return asTwirp(recorded.response);
  return Response.json({ ok: true, artifact_id: String(artifactId) });
}

/** The run's live artifacts (the native upload-artifact's too), as the toolkit lists them. */
export async function listArtifacts(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await callerFor(request, deps, "read");
  if (!auth.ok) return auth.response;
  const { caller } = auth;
  const body = await twirpBody(request, listRequest);
  if (!body.ok) return body.response;
  const other = sameJob(caller, body.value);
  if (other) return other;
  const rows = await caller.scope.artifact.findMany({
    where: { runId: caller.runId, expiresAt: { gt: new Date(deps.now()) }, ...(body.value.name_filter ? { name: body.value.name_filter } : {}) },
    select: { name: true, sizeBytes: true, sha256: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
  const artifacts = rows
    .map((row) => ({
      workflow_run_backend_id: caller.runId,
      workflow_job_run_backend_id: caller.jobRunId,
      database_id: String(artifactNumber(caller.runId, row.name)),
      name: row.name,
      size: String(row.sizeBytes),
      created_at: row.createdAt.toISOString(),
      digest: `sha256:${row.sha256}`,
    }))
    .filter((artifact) => body.value.id_filter === undefined || artifact.database_id === String(body.value.id_filter));
  return Response.json({ artifacts });
}

export async function getSignedArtifactUrl(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await callerFor(request, deps, "read");
  if (!auth.ok) return auth.response;
  const { caller } = auth;
  const body = await twirpBody(request, nameRequest);
  if (!body.ok) return body.response;
  const other = sameJob(caller, body.value);
  if (other) return other;
  const row = await caller.scope.artifact.findUnique({ where: { runId_name: { runId: caller.runId, name: body.value.name } }, select: { sha256: true, sizeBytes: true, expiresAt: true } });
  if (!row || row.expiresAt.getTime() <= deps.now()) return twirpError("not_found", `This run has no artifact named ${JSON.stringify(body.value.name)}.`);
  const url = signBlobUrl(deps.urlSecret, serviceOrigin(request, deps.publicUrl), { op: "get", tenantId: caller.tenantId, sha256: row.sha256, sizeBytes: Number(row.sizeBytes), exp: deps.now() + deps.urlTtlMs });
  return Response.json({ signed_url: url });
}

export async function deleteArtifact(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const auth = await callerFor(request, deps, "write");
  if (!auth.ok) return auth.response;
  const { caller } = auth;
  const body = await twirpBody(request, nameRequest);
  if (!body.ok) return body.response;
  const other = sameJob(caller, body.value);
  if (other) return other;
  // The bytes stay until the retention sweep finds no row naming them (they may be shared).
  const deleted = await caller.scope.artifact.deleteMany({ where: { runId: caller.runId, name: body.value.name } });
  if (deleted.count === 0) return twirpError("not_found", `This run has no artifact named ${JSON.stringify(body.value.name)}.`);
  return Response.json({ ok: true, artifact_id: String(artifactNumber(caller.runId, body.value.name)) });
}
