import { callerOfRequest } from "../../../../../../../../../../server/api-tokens/request-caller";
import { handleRawLog } from "../../../../../../../../../../server/logs/raw-log-download";
import { getServices } from "../../../../../../../../../../server/services";

export const dynamic = "force-dynamic";

/** One job attempt's archived log as a text file (docs/web.md "The job page"); `?attempt=N`, else the latest. */
export async function GET(request: Request, { params }: { params: Promise<{ tenant: string; runId: string; jobKey: string }> }): Promise<Response> {
  const target = await params;
  const { database, redis, queues } = getServices();
  return handleRawLog(request, target, { caller: await callerOfRequest(request, database), database, redis, queues });
}
