import { handleCheckoutToken } from "../../../../../server/runner-api/checkout-token";
import { runnerApiDeps } from "../../../../../server/runner-api/from-services";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleCheckoutToken(request, runnerApiDeps());
}
