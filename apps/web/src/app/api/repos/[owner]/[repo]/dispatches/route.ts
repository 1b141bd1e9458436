import { getSessionUser } from "../../../../../../server/auth";
import { handleRepositoryDispatch } from "../../../../../../server/repository-dispatch-rest";
import { getServices } from "../../../../../../server/services";

export const dynamic = "force-dynamic";

/** GitHub's POST /repos/{owner}/{repo}/dispatches (docs/triggers.md, repository_dispatch). */
export async function POST(request: Request, { params }: { params: Promise<{ owner: string; repo: string }> }): Promise<Response> {
  const target = await params;
  const { database, redis, queues } = getServices();
  return handleRepositoryDispatch(request, target, { session: await getSessionUser(), database, redis, queues });
}
