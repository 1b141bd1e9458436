// POST /api/runner/v1/register: a pool registration token buys a runner its own credential (rotated on
// every register), which claim then requires. Refused calls write nothing.
import { hashToken, newToken, randomId, tokenMatches } from "@gantry/db";
import { registerRequest, registerResponse } from "@gantry/runner-protocol";
import type { RunnerApiDeps } from "./deps";
import { bearer, readBody, refuse } from "./respond";

export async function handleRegister(request: Request, deps: Pick<RunnerApiDeps, "database">): Promise<Response> {
  const token = bearer(request);
  if (!token) return refuse(401, "unauthorized", "Missing `Authorization: Bearer <pool registration token>` header.");
  // The body first, bounded while read: an unauthenticated caller can make us read at most the limit, and no lookup.
  const body = await readBody(request, registerRequest);
  if (!body.ok) return body.response;
  const sys = deps.database.system("runner register: find the pool by its registration token");
  const pool = await sys.runnerPool.findFirst({ where: { registrationTokenHash: hashToken(token) }, select: { id: true, name: true, registrationTokenHash: true, provider: true, egress: true, egressAllowlist: true } });
  if (!pool || !tokenMatches(token, pool.registrationTokenHash)) return refuse(401, "unauthorized", "The registration token does not belong to any runner pool.");
  const credential = newToken("grc");
  const runner = await sys.runner.upsert({
    where: { poolId_name: { poolId: pool.id, name: body.value.name } },
    create: {
      id: randomId("rnr"),
      poolId: pool.id,
      name: body.value.name,
      version: body.value.version,
      capacity: body.value.capacity,
      credentialHash: hashToken(credential),
      status: "ONLINE",
      lastSeenAt: new Date(),
    },
    update: { version: body.value.version, capacity: body.value.capacity, credentialHash: hashToken(credential), status: "ONLINE", lastSeenAt: new Date() },
    select: { id: true },
  });
  // The pool decides the isolation; the runner refuses to run a pool whose provider it cannot start.
  const sandbox = { provider: pool.provider.toLowerCase(), egress: pool.egress.toLowerCase(), allowlist: pool.egressAllowlist };
  return Response.json(registerResponse.parse({ runnerId: runner.id, pool: pool.name, credential, sandbox }), { status: 200 });
}
