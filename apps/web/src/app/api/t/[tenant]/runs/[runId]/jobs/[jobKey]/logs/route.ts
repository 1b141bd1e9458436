import { getSessionUser } from "../../../../../../../../../server/auth";
import { handleLiveLogs } from "../../../../../../../../../server/logs/live-log-stream";
import { getServices } from "../../../../../../../../../server/services";

export const dynamic = "force-dynamic";

/** One job's log as server-sent events: the archive, then live chunks until the job ends (docs/web.md "Live logs"). */
export async function GET(request: Request, { params }: { params: Promise<{ tenant: string; runId: string; jobKey: string }> }): Promise<Response> {
  const target = await params;
  const { database, redis, queues, env } = getServices();
  return handleLiveLogs(request, target, { session: await getSessionUser(), database, redis, queues, prefix: env.GANTRY_QUEUE_PREFIX });
}
