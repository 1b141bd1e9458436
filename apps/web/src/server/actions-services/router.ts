// Dispatches the toolkit services: `/api/actions/…` (ACTIONS_SERVICE_PATH: cache v1 REST, signed blobs) and
// `/twirp/…` (the toolkit builds Twirp URLs from the origin of ACTIONS_RESULTS_URL, so they live at the root).
import { ACTIONS_SERVICE_PATH, ACTIONS_TWIRP_PATH } from "@gantry/runner-protocol";
import { refuse } from "../runner-api/respond";
import { createArtifact, deleteArtifact, finalizeArtifact, getSignedArtifactUrl, listArtifacts } from "./artifact-v4";
import { handleBlob } from "./blob";
import { BLOB_PATH } from "./blob-url";
import { commitV1, lookupV1, reserveV1, uploadChunkV1 } from "./cache-v1";
import { createCacheEntry, finalizeCacheEntryUpload, getCacheEntryDownloadUrl } from "./cache-v2";
import type { ActionsServiceDeps } from "./deps";
import { twirpError } from "./twirp";

const TWIRP_PATH = ACTIONS_TWIRP_PATH;

type Handler = (request: Request, deps: ActionsServiceDeps) => Promise<Response>;

const TWIRP: Record<string, Handler> = {
  "github.actions.results.api.v1.CacheService/CreateCacheEntry": createCacheEntry,
  "github.actions.results.api.v1.CacheService/FinalizeCacheEntryUpload": finalizeCacheEntryUpload,
  "github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL": getCacheEntryDownloadUrl,
  "github.actions.results.api.v1.ArtifactService/CreateArtifact": createArtifact,
  "github.actions.results.api.v1.ArtifactService/FinalizeArtifact": finalizeArtifact,
  "github.actions.results.api.v1.ArtifactService/ListArtifacts": listArtifacts,
  "github.actions.results.api.v1.ArtifactService/GetSignedArtifactURL": getSignedArtifactUrl,
  "github.actions.results.api.v1.ArtifactService/DeleteArtifact": deleteArtifact,
};

const CACHE_V1 = `${ACTIONS_SERVICE_PATH}_apis/artifactcache/`;

export async function handleActionsService(request: Request, deps: ActionsServiceDeps): Promise<Response> {
  const { pathname } = new URL(request.url);
  const method = request.method;
  if (pathname.startsWith(TWIRP_PATH) || pathname.startsWith(`${ACTIONS_SERVICE_PATH}twirp/`)) {
    const handler = TWIRP[pathname.slice(pathname.indexOf("/twirp/") + TWIRP_PATH.length)];
    if (!handler) return twirpError("not_found", `No such method: ${pathname}.`);
    if (method !== "POST") return twirpError("invalid_argument", "Twirp methods are called with POST.");
    return handler(request, deps);
  }
  if (pathname === BLOB_PATH) return handleBlob(request, deps);
  if (pathname.startsWith(CACHE_V1)) {
    const resource = pathname.slice(CACHE_V1.length);
    if (resource === "cache" && method === "GET") return lookupV1(request, deps);
    if (resource === "caches" && method === "POST") return reserveV1(request, deps);
    const id = /^caches\/(\d{1,15})$/.exec(resource)?.[1];
    if (id !== undefined && method === "PATCH") return uploadChunkV1(request, deps, Number(id));
    if (id !== undefined && method === "POST") return commitV1(request, deps, Number(id));
  }
  return refuse(404, "not_found", `The actions services have no ${method} ${pathname}.`);
}
