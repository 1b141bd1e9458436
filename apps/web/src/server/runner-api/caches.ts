// POST /api/runner/v1/caches: restore or save a cache entry of the run's repository. Scopes are refs (DESIGN.md
// "Storage"): a run reads its own ref's entries, then (a pull request) its base branch's, then the default
// branch's; it writes only its own ref's. A run of
// untrusted code (a fork's pull request) may write only a pull-request scope, which no branch ever reads.
import { cacheRequest, cacheResponse } from "@gantry/runner-protocol";
import { findCacheEntry } from "./cache-lookup";
import { grantUrl, liveGrantRequest, overQuota, usedBytes, type ObjectDeps } from "./objects";
import { refuse } from "./respond";

export async function handleCaches(request: Request, deps: ObjectDeps): Promise<Response> {
  const live = await liveGrantRequest(request, deps, cacheRequest);
  if (!live.ok) return live.response;
  const { tenantId, scope } = live;
  const job = await scope.jobRun.findUniqueOrThrow({ where: { id: live.jobRunId }, select: { run: { select: { ref: true, event: true, deliveryId: true, trusted: true, repositoryId: true, repository: { select: { defaultBranch: true, fullName: true } } } } } });
  const { run } = job;
  const entries = scope.cacheEntry;
  const wanted = live.value;

  if (wanted.op === "restore") {
    const found = await findCacheEntry(deps.database, scope, tenantId, run, wanted, new Date(deps.now()));
    if (!found) return Response.json(cacheResponse.parse({ entry: null, grant: null }));
    const { key, sha256, sizeBytes } = found;
    return Response.json(cacheResponse.parse({ entry: { key, scope: found.scope, sha256, sizeBytes }, grant: grantUrl(deps, { op: "get", tenantId, sha256, sizeBytes }) }));
  }

  if (!run.trusted && !run.ref.startsWith("refs/pull/")) return refuse(403, "cache_write_forbidden", `A run of untrusted code may not write caches of ${run.ref}, which trusted runs read.`);
  const { key, version, sha256, sizeBytes } = wanted;
  const existing = await entries.findUnique({ where: { repositoryId_scope_key_version: { repositoryId: run.repositoryId, scope: run.ref, key, version } }, select: { sha256: true, sizeBytes: true } });
  // Entries are immutable, as on GitHub: the first save of a key wins.
  if (existing) return Response.json(cacheResponse.parse({ entry: { key, scope: run.ref, sha256: existing.sha256, sizeBytes: Number(existing.sizeBytes) }, grant: null }));
  if ((await usedBytes(scope, new Date(deps.now()))) + sizeBytes > deps.quotaBytes) return overQuota(deps.quotaBytes);
  const record = { kind: "cache" as const, repositoryId: run.repositoryId, scope: run.ref, key, version };
  return Response.json(cacheResponse.parse({ entry: { key, scope: run.ref, sha256, sizeBytes }, grant: grantUrl(deps, { op: "put", tenantId, sha256, sizeBytes, record }) }));
}
