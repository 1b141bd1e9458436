// Runs before every tenant page (Next's proxy convention): stamps the page's own path and query on the request, so a
// signed-out visitor is sent to sign in and brought back to the exact page (a layout cannot see its URL). The header
// is always overwritten, never trusted from the client as sent.
import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER } from "./server/navigation/local-path";

export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set(REQUEST_PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/t/:path*"] };
