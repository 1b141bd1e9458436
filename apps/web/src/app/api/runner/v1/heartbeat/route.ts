import { runnerApiDeps } from "../../../../../server/runner-api/from-services";
import { handleHeartbeat } from "../../../../../server/runner-api/heartbeat";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleHeartbeat(request, runnerApiDeps());
}
