// The bytes behind an expiring signed URL from the artifacts or caches route: PUT to upload, GET to download.
import { handleObject, objectDeps } from "../../../../../server/runner-api/objects";

export const dynamic = "force-dynamic";

export function PUT(request: Request): Promise<Response> {
  return handleObject(request, objectDeps());
}

export function GET(request: Request): Promise<Response> {
  return handleObject(request, objectDeps());
}
