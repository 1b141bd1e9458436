import { handleRunnerPing } from "../../../../../server/runner-ping";
import { getServices } from "../../../../../server/services";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleRunnerPing(request, getServices().database);
}
