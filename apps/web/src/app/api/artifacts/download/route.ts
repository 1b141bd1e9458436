import { artifactDownloadDeps } from "../../../../server/artifacts/deps";
import { handleArtifactDownload } from "../../../../server/artifacts/download-route";

export const dynamic = "force-dynamic";

/** An artifact's zip through a signed, short-lived link (docs/artifacts-and-caches.md "On the run page"). */
export function GET(request: Request): Promise<Response> {
  return handleArtifactDownload(request, artifactDownloadDeps());
}
