import { handleCaches } from "../../../../../server/runner-api/caches";
import { objectDeps } from "../../../../../server/runner-api/objects";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleCaches(request, objectDeps());
}
