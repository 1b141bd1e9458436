import { actionResolveDeps, handleActionResolve } from "../../../../../../server/runner-api/actions-resolve";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleActionResolve(request, actionResolveDeps());
}
