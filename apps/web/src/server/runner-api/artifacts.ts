// POST /api/runner/v1/artifacts: a live attempt asks to upload an artifact of its run, or to download one an
// earlier job of the same run uploaded. The answer is an expiring signed URL of the object route.
import { artifactRequest, artifactResponse } from "@gantry/runner-protocol";
import { grantUrl, liveGrantRequest, overQuota, usedBytes, type ObjectDeps } from "./objects";
import { refuse } from "./respond";

/** GitHub's default retention, and the most a workflow may ask for. */
export const ARTIFACT_RETENTION_DAYS = { default: 90, max: 90 };
const DAY_MS = 24 * 60 * 60_000;

export async function handleArtifacts(request: Request, deps: ObjectDeps): Promise<Response> {
  const live = await liveGrantRequest(request, deps, artifactRequest);
  if (!live.ok) return live.response;
  const { tenantId, scope } = live;
  const job = await scope.jobRun.findUniqueOrThrow({ where: { id: live.jobRunId }, select: { runId: true } });
  const wanted = live.value;
  const now = deps.now();
  const existing = await scope.artifact.findUnique({ where: { runId_name: { runId: job.runId, name: wanted.name } }, select: { sha256: true, sizeBytes: true, expiresAt: true } });

  if (wanted.op === "download") {
    // Only the attempt's own run: the lookup is by its run id, inside its tenant.
    if (!existing || existing.expiresAt.getTime() <= now) return refuse(404, "artifact_not_found", `This run has no artifact named ${JSON.stringify(wanted.name)}.`);
    const sizeBytes = Number(existing.sizeBytes);
    return Response.json(artifactResponse.parse({ grant: grantUrl(deps, { op: "get", tenantId, sha256: existing.sha256, sizeBytes }), sha256: existing.sha256, sizeBytes }));
  }
  const { sha256, sizeBytes } = wanted;
  if (existing) {
    if (existing.sha256 !== sha256) return refuse(409, "artifact_conflict", `The run already has an artifact named ${JSON.stringify(wanted.name)} with other content.`);
    return Response.json(artifactResponse.parse({ grant: null, sha256, sizeBytes }));
  }
  if ((await usedBytes(scope, new Date(now))) + sizeBytes > deps.quotaBytes) return overQuota(deps.quotaBytes);
  const days = Math.min(wanted.retentionDays ?? ARTIFACT_RETENTION_DAYS.default, ARTIFACT_RETENTION_DAYS.max);
  const record = { kind: "artifact" as const, runId: job.runId, name: wanted.name, expiresAt: now + days * DAY_MS, attemptId: wanted.attemptId };
  return Response.json(artifactResponse.parse({ grant: grantUrl(deps, { op: "put", tenantId, sha256, sizeBytes, record }), sha256, sizeBytes }));
}
