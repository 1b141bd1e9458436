import { logIngestDeps } from "../../../../../server/runner-api/log-deps";
import { handleLogs } from "../../../../../server/runner-api/logs";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleLogs(request, logIngestDeps());
}
