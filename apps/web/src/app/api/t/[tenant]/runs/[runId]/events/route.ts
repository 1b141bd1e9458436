import { callerOfRequest } from "../../../../../../../server/api-tokens/request-caller";
import { handleRunPageEvents } from "../../../../../../../server/run-events/run-page-stream";
import { getServices } from "../../../../../../../server/services";

export const dynamic = "force-dynamic";

/** One run's live state as server-sent events, resumable with Last-Event-ID (docs/web.md "Live run page"). */
export async function GET(request: Request, { params }: { params: Promise<{ tenant: string; runId: string }> }): Promise<Response> {
  const { tenant, runId } = await params;
  const services = getServices();
  const { database, redis, queues, scheduler } = services;
  return handleRunPageEvents(request, tenant, runId, { caller: await callerOfRequest(request, database), database, redis, queues, scheduler, hub: services.runEvents() });
}
