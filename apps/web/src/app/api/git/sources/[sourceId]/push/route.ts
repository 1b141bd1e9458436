import { handleGitPush } from "../../../../../../server/git-push";
import { getServices } from "../../../../../../server/services";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ sourceId: string }> }): Promise<Response> {
  const { sourceId } = await params;
  const services = getServices();
  const key = services.env.GANTRY_MASTER_KEY;
  return handleGitPush(request, sourceId, {
    database: services.database,
    masterKey: key ? Buffer.from(key, "base64") : null,
    queues: services.queues,
  });
}
