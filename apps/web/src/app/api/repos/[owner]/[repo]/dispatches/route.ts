import { callerOfRequest } from "../../../../../../server/api-tokens/request-caller";
import { handleRepositoryDispatch } from "../../../../../../server/repository-dispatch-rest";
import { getServices } from "../../../../../../server/services";

export const dynamic = "force-dynamic";

/** GitHub's POST /repos/{owner}/{repo}/dispatches (docs/triggers.md, repository_dispatch). */
export async function POST(request: Request, { params }: { params: Promise<{ owner: string; repo: string }> }): Promise<Response> {
  const target = await params;
  const { database, redis, queues } = getServices();
  return handleRepositoryDispatch(request, target, { ...(await callerOfRequest(request, database)), database, redis, queues });
}
