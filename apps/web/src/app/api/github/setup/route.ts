// GitHub App setup callback: the handler is in src/server/github/setup.ts.
import { getSessionUser } from "../../../../server/auth";
import { handleGithubSetup } from "../../../../server/github/setup";
import { getServices } from "../../../../server/services";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const services = getServices();
  return handleGithubSetup(request, { database: services.database, app: services.githubApp.current(), user: await getSessionUser(), appUrl: services.env.appUrl, stateSecret: services.env.NEXTAUTH_SECRET });
}
