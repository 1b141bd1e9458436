// The toolkit's Twirp services (cache v2, artifacts v4), which it calls at `/twirp/…` on ACTIONS_RESULTS_URL's origin.
import { actionsServiceDeps } from "../../../server/actions-services/deps";
import { handleActionsService } from "../../../server/actions-services/router";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleActionsService(request, actionsServiceDeps());
}
