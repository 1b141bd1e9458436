// The services that actions' bundled toolkit calls (cache v1 REST, signed blobs): see server/actions-services.
import { actionsServiceDeps } from "../../../../server/actions-services/deps";
import { handleActionsService } from "../../../../server/actions-services/router";

export const dynamic = "force-dynamic";

const handle = (request: Request): Promise<Response> => handleActionsService(request, actionsServiceDeps());
export { handle as GET, handle as HEAD, handle as POST, handle as PUT, handle as PATCH };
