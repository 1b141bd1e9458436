import { callerOfRequest } from "../../../../../../server/api-tokens/request-caller";
import { handleRunEvents } from "../../../../../../server/run-events/run-event-stream";
import { getServices } from "../../../../../../server/services";

export const dynamic = "force-dynamic";

/** The tenant's run changes as server-sent events, resumable with Last-Event-ID (docs/web.md "Live run list"). */
export async function GET(request: Request, { params }: { params: Promise<{ tenant: string }> }): Promise<Response> {
  const { tenant } = await params;
  const services = getServices();
  const { database, redis, queues } = services;
  return handleRunEvents(request, tenant, { caller: await callerOfRequest(request, database), database, redis, queues, hub: services.runEvents() });
}
