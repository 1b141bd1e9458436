// POST /api/runner/v1/caches: restore or save a cache entry of the run's repository. Scopes are refs (DESIGN.md
// "Storage"): a run reads its own ref's entries, then (a pull request) its base branch's, then the default
// branch's; it writes only its own ref's. A run of
// untrusted code (a fork's pull request) may write only a pull-request scope, which no branch ever reads.
import type { Database } from "@gantry/db";
import { cacheRequest, cacheResponse } from "@gantry/runner-protocol";
import { z } from "zod";
import { grantUrl, liveGrantRequest, overQuota, usedBytes, type ObjectDeps } from "./objects";
import { refuse } from "./respond";
import { runEventPayload } from "./run-event";

const pullRequestEvent = z.object({ pull_request: z.object({ base: z.object({ ref: z.string().min(1) }) }) });

/** A pull request's base branch, from the event that started the run; undefined for other runs. */
async function baseBranch(database: Database, tenantId: string, run: { event: string; deliveryId: string | null; repository: { fullName: string } }): Promise<string | undefined> {
  if (!run.event.startsWith("pull_request")) return undefined;
  const event = pullRequestEvent.safeParse(await runEventPayload(database, { tenantId, deliveryId: run.deliveryId, event: run.event }, run.repository.fullName));
  return event.success ? event.data.pull_request.base.ref : undefined;
}

export async function handleCaches(request: Request, deps: ObjectDeps): Promise<Response> {
  const live = await liveGrantRequest(request, deps, cacheRequest);
  if (!live.ok) return live.response;
  const { tenantId, scope } = live;
  const job = await scope.jobRun.findUniqueOrThrow({ where: { id: live.jobRunId }, select: { run: { select: { ref: true, event: true, deliveryId: true, trusted: true, repositoryId: true, repository: { select: { defaultBranch: true, fullName: true } } } } } });
  const { run } = job;
  const entries = scope.cacheEntry;
  const wanted = live.value;

  if (wanted.op === "restore") {
    const base = await baseBranch(deps.database, tenantId, run);
    const scopes = [...new Set([run.ref, ...(base ? [`refs/heads/${base}`] : []), `refs/heads/${run.repository.defaultBranch}`])];
    const select = { id: true, key: true, scope: true, sha256: true, sizeBytes: true } as const;
    for (const refScope of scopes) {
      const where = { repositoryId: run.repositoryId, scope: refScope, version: wanted.version };
      // GitHub's order per scope: the exact key, then each restore key as a prefix, newest first.
      const found =
        (await entries.findFirst({ where: { ...where, key: wanted.key }, select })) ??
        (await firstOf(wanted.restoreKeys.map((prefix) => () => entries.findFirst({ where: { ...where, key: { startsWith: prefix } }, orderBy: { createdAt: "desc" }, select }))));
      if (!found) continue;
      await entries.update({ where: { id: found.id }, data: { lastUsedAt: new Date(deps.now()) } });
      const sizeBytes = Number(found.sizeBytes);
      return Response.json(
        cacheResponse.parse({ entry: { key: found.key, scope: found.scope, sha256: found.sha256, sizeBytes }, grant: grantUrl(deps, { op: "get", tenantId, sha256: found.sha256, sizeBytes }) }),
      );
    }
    return Response.json(cacheResponse.parse({ entry: null, grant: null }));
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

async function firstOf<T>(lookups: (() => Promise<T | null>)[]): Promise<T | null> {
  for (const lookup of lookups) {
    const found = await lookup();
    if (found) return found;
  }
  return null;
}
