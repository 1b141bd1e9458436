import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "../../../../server/auth";

export const dynamic = "force-dynamic";

// The options need the env and database, so they are built per request, not at import time (which `next
// build` does without any env).
async function handler(
  request: NextRequest,
  context: { params: Promise<{ nextauth: string[] }> },
): Promise<Response> {
  const response: Response = await NextAuth(request, context, authOptions());
  return response;
}

export { handler as GET, handler as POST };
