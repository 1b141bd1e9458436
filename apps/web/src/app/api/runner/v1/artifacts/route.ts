import { handleArtifacts } from "../../../../../server/runner-api/artifacts";
import { objectDeps } from "../../../../../server/runner-api/objects";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleArtifacts(request, objectDeps());
}
