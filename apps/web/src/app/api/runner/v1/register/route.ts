import { runnerApiDeps } from "../../../../../server/runner-api/from-services";
import { handleRegister } from "../../../../../server/runner-api/register";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleRegister(request, runnerApiDeps());
}
