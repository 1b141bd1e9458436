import { runnerApiDeps } from "../../../../../server/runner-api/from-services";
import { handleClaim } from "../../../../../server/runner-api/claim";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleClaim(request, runnerApiDeps());
}
