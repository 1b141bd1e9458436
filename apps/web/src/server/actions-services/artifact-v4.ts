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

type BackendIds = { workflow_run_backend_id: string; workflow_job_run_backend_id: string };

/**
 * What every artifact method does first: the runtime token (for `access`), the body (`schema`), and the caller's own
 * run and job — a request naming other backend ids is refused.
 */
async function artifactCall<T extends BackendIds>(request: Request, deps: ActionsServiceDeps, access: "read" | "write", schema: z.ZodType<T>): Promise<{ ok: true; caller: ServiceCaller; body: T } | { ok: false; response: Response }> {
  const auth = await authenticate(request, deps, access);
  if (!auth.ok) return { ok: false, response: await asTwirp(auth.response) };
  const parsed = await twirpBody(request, schema);
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  if (body.workflow_run_backend_id !== auth.caller.runId || body.workflow_job_run_backend_id !== auth.caller.jobRunId) return { ok: false, response: twirpError("unauthenticated", "The backend ids are not the ones the runtime token names.") };
  return { ok: true, caller: auth.caller, body };
}

export async function createArtifact(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const call = await artifactCall(request, deps, "write", createRequest);
  if (!call.ok) return call.response;
  const { caller, body } = call;
  const { name } = body;
  if (await caller.scope.artifact.findUnique({ where: { runId_name: { runId: caller.runId, name } }, select: { id: true } }))
    return twirpError("already_exists", `The run already has an artifact named ${JSON.stringify(name)}.`);
  const now = deps.now();
  const latest = now + ARTIFACT_RETENTION_DAYS.max * DAY_MS;
  const asked = body.expires_at ? Date.parse(body.expires_at) : now + ARTIFACT_RETENTION_DAYS.default * DAY_MS;
  const artifactId = artifactNumber(caller.runId, name);
  const uploadId = artifactUploadId(artifactId);
  const reserved = await reserveUpload(deps, caller, uploadId, { kind: "artifact", attemptId: caller.attemptId, runId: caller.runId, name, expiresAt: Math.min(asked, latest) });
  if (!reserved.ok) return asTwirp(reserved.response);
  const url = signBlobUrl(deps.urlSecret, serviceOrigin(request, deps.publicUrl), { op: "put", tenantId: caller.tenantId, uploadId, exp: now + deps.urlTtlMs });
  return Response.json({ ok: true, signed_upload_url: url });
}

export async function finalizeArtifact(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const call = await artifactCall(request, deps, "write", finalizeRequest);
  if (!call.ok) return call.response;
  const { caller, body } = call;
  const artifactId = artifactNumber(caller.runId, body.name);
  const uploadId = artifactUploadId(artifactId);
  const held = await heldUpload(deps, caller.tenantId, uploadId, caller.attemptId);
  if (!held.ok) return twirpError("not_found", `No upload of artifact ${JSON.stringify(body.name)} by this job is pending.`);
  const object = await assembledUpload(deps, caller.tenantId, uploadId);
  if (!object) return twirpError("failed_precondition", "Nothing was uploaded to the artifact's URL.");
  if (object.sizeBytes !== body.size) return twirpError("invalid_argument", `The uploaded blob is ${object.sizeBytes} bytes, not ${body.size}.`);
  if (body.hash !== undefined && body.hash !== `sha256:${object.sha256}`) return twirpError("invalid_argument", "The uploaded blob does not hash to the given sha256.");
  const recorded = await recordUpload(deps, caller, uploadId, held.meta, object);
  if (!recorded.ok) return asTwirp(recorded.response);
  return Response.json({ ok: true, artifact_id: String(artifactId) });
}

/** The run's live artifacts (the native upload-artifact's too), as the toolkit lists them. */
export async function listArtifacts(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const call = await artifactCall(request, deps, "read", listRequest);
  if (!call.ok) return call.response;
  const { caller, body } = call;
  const rows = await caller.scope.artifact.findMany({
    where: { runId: caller.runId, expiresAt: { gt: new Date(deps.now()) }, ...(body.name_filter ? { name: body.name_filter } : {}) },
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
    .filter((artifact) => body.id_filter === undefined || artifact.database_id === String(body.id_filter));
  return Response.json({ artifacts });
}

export async function getSignedArtifactUrl(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const call = await artifactCall(request, deps, "read", nameRequest);
  if (!call.ok) return call.response;
  const { caller, body } = call;
  const row = await caller.scope.artifact.findUnique({ where: { runId_name: { runId: caller.runId, name: body.name } }, select: { sha256: true, sizeBytes: true, expiresAt: true } });
  if (!row || row.expiresAt.getTime() <= deps.now()) return twirpError("not_found", `This run has no artifact named ${JSON.stringify(body.name)}.`);
  const url = signBlobUrl(deps.urlSecret, serviceOrigin(request, deps.publicUrl), { op: "get", tenantId: caller.tenantId, sha256: row.sha256, sizeBytes: Number(row.sizeBytes), exp: deps.now() + deps.urlTtlMs });
  return Response.json({ signed_url: url });
}

export async function deleteArtifact(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const call = await artifactCall(request, deps, "write", nameRequest);
  if (!call.ok) return call.response;
  const { caller, body } = call;
  // The bytes stay until the retention sweep finds no row naming them (they may be shared).
  const deleted = await caller.scope.artifact.deleteMany({ where: { runId: caller.runId, name: body.name } });
  if (deleted.count === 0) return twirpError("not_found", `This run has no artifact named ${JSON.stringify(body.name)}.`);
  return Response.json({ ok: true, artifact_id: String(artifactNumber(caller.runId, body.name)) });
}
