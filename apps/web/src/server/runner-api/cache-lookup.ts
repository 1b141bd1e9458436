// Which cache entry a restore finds (DESIGN.md "Storage"), for the native actions/cache and the toolkit's cache
// services alike: the run's own ref scope, then (a pull request) its base branch's, then the default branch's; in
// each, the exact key, then each restore key as a prefix, newest first.
import type { Database, TenantClient } from "@gantry/db";
import { z } from "zod";
import { runEventPayload } from "@gantry/engine";

const pullRequestEvent = z.object({ pull_request: z.object({ base: z.object({ ref: z.string().min(1) }) }) });

export interface CacheRun {
  ref: string;
  event: string;
  deliveryId: string | null;
  repositoryId: string;
  repository: { defaultBranch: string; fullName: string };
}

/** A pull request's base branch, from the event that started the run; undefined for other runs. */
async function baseBranch(database: Database, tenantId: string, run: CacheRun): Promise<string | undefined> {
  if (!run.event.startsWith("pull_request")) return undefined;
  const event = pullRequestEvent.safeParse(await runEventPayload(database, { tenantId, deliveryId: run.deliveryId, event: run.event }, run.repository.fullName));
  return event.success ? event.data.pull_request.base.ref : undefined;
}

/** The ref scopes a run reads, in order. */
export async function restoreScopes(database: Database, tenantId: string, run: CacheRun): Promise<string[]> {
  const base = await baseBranch(database, tenantId, run);
  return [...new Set([run.ref, ...(base ? [`refs/heads/${base}`] : []), `refs/heads/${run.repository.defaultBranch}`])];
}

/** The entry a restore of `key` (then `restoreKeys`) at `version` finds, its lastUsedAt moved to `now`; null when none. */
export async function findCacheEntry(database: Database, scope: TenantClient, tenantId: string, run: CacheRun, wanted: { key: string; restoreKeys: string[]; version: string }, now: Date) {
  const entries = scope.cacheEntry;
  const select = { id: true, key: true, scope: true, sha256: true, sizeBytes: true, createdAt: true } as const;
  for (const refScope of await restoreScopes(database, tenantId, run)) {
    const where = { repositoryId: run.repositoryId, scope: refScope, version: wanted.version };
    const found =
      (await entries.findFirst({ where: { ...where, key: wanted.key }, select })) ??
      (await firstOf(wanted.restoreKeys.map((prefix) => () => entries.findFirst({ where: { ...where, key: { startsWith: prefix } }, orderBy: { createdAt: "desc" }, select }))));
    if (!found) continue;
    await entries.update({ where: { id: found.id }, data: { lastUsedAt: now } });
    return { ...found, sizeBytes: Number(found.sizeBytes) };
  }
  return null;
}

async function firstOf<T>(lookups: (() => Promise<T | null>)[]): Promise<T | null> {
  for (const lookup of lookups) {
    const found = await lookup();
    if (found) return found;
  }
  return null;
}
