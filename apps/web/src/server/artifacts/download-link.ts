// GET /api/t/<tenant>/runs/<runId>/artifacts/<name>: the run page's download link. It never goes stale: each click
// asks artifacts.download (membership checked like any procedure) for a fresh five-minute signed URL and is
// redirected there (303), so the zip itself is served by the signed route.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { SessionUser } from "../auth";
import { serverCaller } from "../caller";
import { refuse } from "../runner-api/respond";

export async function redirectToArtifactDownload(session: SessionUser | null, target: { tenant: string; runId: string; name: string }): Promise<Response> {
  if (!session) return refuse(401, "unauthenticated", "Sign in to download artifacts.");
  try {
    const { url } = await serverCaller(session).artifacts.download(target);
    // A path: the browser resolves it on the origin it used (right behind a proxy too).
    return new Response(null, { status: 303, headers: { location: url, "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof TRPCError) return refuse(getHTTPStatusCodeFromError(error), error.code.toLowerCase(), error.message);
    throw error;
  }
}
