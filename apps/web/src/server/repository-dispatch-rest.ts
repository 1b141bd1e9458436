// POST /api/repos/{owner}/{repo}/dispatches — GitHub's REST shape for repository_dispatch (`{event_type,
// client_payload}`, 204 No Content), so scripts written for GitHub's API work against Gantry. Authenticated by an API
// token (`Authorization: Bearer gat_…` with runs:write, as GitHub's own takes a token) or the signed-in session; the
// caller needs the developer role in the repository's tenant. The repository is found by its full name among the
// caller's tenants; `?tenant=<slug>` picks one when several hold that name. The work is the tRPC procedure's
// (runs.repositoryDispatch), so the role check and the recording are one code path.
import type { Database } from "@gantry/db";
import type { Queues } from "@gantry/jobs";
import { repositoryDispatchBody } from "@gantry/jobs";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Redis } from "ioredis";
import type { ApiTokenCaller } from "./api-tokens/authenticate";
import type { SessionUser } from "./auth";
import { readBoundedBody } from "./http/bounded-body";
import { createCaller } from "./routers/_app";
import { createTRPCContext } from "./trpc";

/** GitHub caps the whole request well below this; a dispatch is a small JSON object. */
const MAX_DISPATCH_BYTES = 128 * 1024;

export interface RepositoryDispatchDeps {
  session: SessionUser | null;
  /** The call came with an API token (api-tokens/request-caller.ts): its scopes apply, as in tRPC. */
  apiToken?: ApiTokenCaller | null;
  /** A bearer token came and was refused: why. */
  bearerRefusal?: string | null;
  database: Database;
  redis: Redis;
  queues: Pick<Queues, "add">;
}

const refuse = (status: number, message: string, errors?: unknown) => Response.json({ message, ...(errors ? { errors } : {}) }, { status });

export async function handleRepositoryDispatch(request: Request, target: { owner: string; repo: string }, deps: RepositoryDispatchDeps): Promise<Response> {
  if (deps.bearerRefusal) return refuse(401, deps.bearerRefusal);
  if (!deps.session) return refuse(401, "Requires authentication: sign in first, or send Authorization: Bearer <API token>.");
  const bounded = await readBoundedBody(request, MAX_DISPATCH_BYTES);
  if (!bounded.ok) return refuse(413, `A dispatch body is at most ${MAX_DISPATCH_BYTES} bytes.`);
  let json: unknown;
  try {
    json = JSON.parse(bounded.bytes.toString("utf8"));
  } catch {
    return refuse(400, "Problems parsing JSON");
  }
  const body = repositoryDispatchBody.safeParse(json);
  if (!body.success) return refuse(422, "Invalid request.", body.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })));

  const fullName = `${target.owner}/${target.repo}`;
  const wanted = new URL(request.url).searchParams.get("tenant");
  const candidates = await deps.database.system("repository_dispatch REST: the caller's repositories of that name").repository.findMany({
    where: { fullName, tenant: { memberships: { some: { userId: deps.session.userId } }, ...(wanted ? { slug: wanted } : {}) } },
    select: { id: true, tenant: { select: { slug: true } } },
  });
  const [repository, ...others] = candidates;
  if (!repository) return refuse(404, "Not Found");
  if (others.length > 0) return refuse(409, `Several of your tenants have a repository ${fullName}: add ?tenant=<slug> (one of ${candidates.map((c) => c.tenant.slug).join(", ")}).`);

  const caller = createCaller(createTRPCContext({ session: deps.session, apiToken: deps.apiToken ?? null, database: deps.database, redis: deps.redis, queues: deps.queues }));
  const idempotencyKey = request.headers.get("idempotency-key") ?? undefined;
  try {
    await caller.runs.repositoryDispatch({
      tenant: repository.tenant.slug,
      repositoryId: repository.id,
      eventType: body.data.event_type,
      clientPayload: body.data.client_payload ?? {},
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
  } catch (error) {
    if (error instanceof TRPCError) return refuse(error.code === "BAD_REQUEST" ? 422 : getHTTPStatusCodeFromError(error), error.message);
    throw error;
  }
  return new Response(null, { status: 204 });
}
