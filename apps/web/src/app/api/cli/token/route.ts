import { handlePasswordExchange } from "../../../../server/api-tokens/password-exchange";
import { signInLimiter } from "../../../../server/auth";
import { clientIp, headerLookup } from "../../../../server/http/client-ip";
import { getServices } from "../../../../server/services";

export const dynamic = "force-dynamic";

/** The CLI's password → API token exchange (docs/api.md, docs/cli.md). */
export async function POST(request: Request): Promise<Response> {
  const { env, database, redis } = getServices();
  const ip = clientIp(headerLookup(request.headers), env.GANTRY_TRUST_PROXY);
  return handlePasswordExchange(request, { database, limiter: signInLimiter(env, redis), ip });
}
