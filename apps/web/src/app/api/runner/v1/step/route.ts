import { runnerApiDeps } from "../../../../../server/runner-api/from-services";
import { handleStep } from "../../../../../server/runner-api/step";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleStep(request, runnerApiDeps());
}
