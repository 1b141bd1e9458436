import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { authOptions } from "../../../../server/auth";
import { MAX_AUTH_BODY_BYTES, withBodyLimit } from "../../../../server/http/body-limit";

export const dynamic = "force-dynamic";

// The options need the env and database, so they are built per request, not at import time (which `next
// build` does without any env).
// The form is bounded while it is read (sign-in is unauthenticated), then handed on as the NextRequest next-auth wants.
const handler = withBodyLimit(MAX_AUTH_BODY_BYTES, async (request: Request, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> => {
  const response: Response = await NextAuth(new NextRequest(request), context, authOptions());
  return response;
});

export { handler as GET, handler as POST };
