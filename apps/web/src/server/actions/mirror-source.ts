// Actions from a Gitea or Forgejo mirror (GANTRY_ACTIONS_MIRROR_URL; docs/actions.md), through its API v1:
// a ref with `GET /api/v1/repos/{o}/{r}/commits?sha={ref}&limit=1` (the newest commit of the ref), a full sha with
// `GET /api/v1/repos/{o}/{r}/git/commits/{sha}`, the archive with `GET /api/v1/repos/{o}/{r}/archive/{sha}.tar.gz`
// (a gzipped tar with one top folder, as the runner expects). Anonymous: a mirror of public actions.
import { isFullSha } from "@gantry/sources";
import { z } from "zod";
import { boundedBytes, type ActionSource, type Lookup } from "./source";
import type { RemoteUses } from "./uses";

const commit = z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/) });

export function mirrorSource(baseUrl: string, fetcher: typeof fetch = fetch): ActionSource {
  const base = baseUrl.replace(/\/+$/, "");
  const repoPath = (uses: RemoteUses) => `${base}/api/v1/repos/${encodeURIComponent(uses.owner)}/${encodeURIComponent(uses.repo)}`;
  const get = (url: string) => fetcher(url, { headers: { accept: "application/json", "user-agent": "gantry-ci" }, signal: AbortSignal.timeout(120_000) });
  const label = `mirror ${base}`;
  return {
    name: "mirror",
    label,
    async resolve(uses: RemoteUses): Promise<Lookup> {
      const url = isFullSha(uses.ref)
        ? `${repoPath(uses)}/git/commits/${uses.ref}`
        : `${repoPath(uses)}/commits?${new URLSearchParams({ sha: uses.ref, limit: "1", stat: "false", verification: "false", files: "false" })}`;
      const response = await get(url);
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return { found: false, why: `${label}: no commit for ${uses.ref} in ${uses.repository} (${response.status})` };
      }
      const body: unknown = await response.json().catch(() => null);
      const parsed = isFullSha(uses.ref) ? commit.safeParse(body) : z.array(commit).min(1).safeParse(body);
      if (!parsed.success) return { found: false, why: `${label}: no commit for ${uses.ref} in ${uses.repository}` };
      return { found: true, sha: Array.isArray(parsed.data) ? (parsed.data[0]?.sha ?? "") : parsed.data.sha };
    },
    async download(uses: RemoteUses, sha: string) {
      const response = await get(`${repoPath(uses)}/archive/${sha}.tar.gz`);
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return { missing: `${label}: GET archive/${sha}.tar.gz answered ${response.status}` };
      }
      return (await boundedBytes(response)) ?? { missing: `${label}: the archive of ${uses.repository}@${sha} is larger than Gantry accepts` };
    },
  };
}
