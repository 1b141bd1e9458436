// Create the GitHub App by manifest: the handler is in src/server/github/manifest.ts.
import { getSessionUser } from "../../../../server/auth";
import { handleManifestStart } from "../../../../server/github/manifest";
import { getServices } from "../../../../server/services";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const { database, env, githubApp } = getServices();
  return handleManifestStart(request, {
    database,
    user: await getSessionUser(),
    existing: githubApp.current(),
    settings: githubApp.config,
    appUrl: env.appUrl,
    publicUrl: env.publicUrl,
    stateSecret: env.NEXTAUTH_SECRET,
  });
}
