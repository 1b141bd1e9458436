import { redirectToArtifactDownload } from "../../../../../../../../server/artifacts/download-link";
import { getSessionUser } from "../../../../../../../../server/auth";

export const dynamic = "force-dynamic";

/** The run page's artifact link: a fresh signed URL each time (docs/artifacts-and-caches.md "On the run page"). */
export async function GET(_request: Request, { params }: { params: Promise<{ tenant: string; runId: string; name: string }> }): Promise<Response> {
  const { tenant, runId, name } = await params;
  return redirectToArtifactDownload(await getSessionUser(), { tenant, runId, name });
}
