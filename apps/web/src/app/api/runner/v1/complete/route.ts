import { runnerApiDeps } from "../../../../../server/runner-api/from-services";
import { handleComplete } from "../../../../../server/runner-api/complete";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleComplete(request, runnerApiDeps());
}
