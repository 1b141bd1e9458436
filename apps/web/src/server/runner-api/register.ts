// POST /api/runner/v1/register: a pool registration token buys a runner its own credential (rotated on
// every register), which claim then requires. Refused calls write nothing; a registration is audited.
import { AUDIT_ACTIONS, hashToken, newToken, randomId, recordAudit, tokenMatches } from "@gantry/db";
import { registerRequest, registerResponse } from "@gantry/runner-protocol";
import { clientIp, headerLookup } from "../http/client-ip";
import type { RunnerApiDeps } from "./deps";
import { bearer, readBody, refuse } from "./respond";

export async function handleRegister(request: Request, deps: Pick<RunnerApiDeps, "database" | "trustProxy">): Promise<Response> {
  const token = bearer(request);
  if (!token) return refuse(401, "unauthorized", "Missing `Authorization: Bearer <pool registration token>` header.");
  // The body first, bounded while read: an unauthenticated caller can make us read at most the limit, and no lookup.
  const body = await readBody(request, registerRequest);
  if (!body.ok) return body.response;
  const sys = deps.database.system("runner register: find the pool by its registration token");
  const pool = await sys.runnerPool.findFirst({ where: { registrationTokenHash: hashToken(token) }, select: { id: true, tenantId: true, name: true, registrationTokenHash: true, provider: true, egress: true, egressAllowlist: true } });
  if (!pool || !tokenMatches(token, pool.registrationTokenHash)) return refuse(401, "unauthorized", "The registration token does not belong to any runner pool.");
  const credential = newToken("grc");
  const before = await sys.runner.findUnique({ where: { poolId_name: { poolId: pool.id, name: body.value.name } }, select: { id: true } });
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
  // The pool's tenant reads it (a shared pool's registrations are platform events).
  await recordAudit(deps.database, {
    tenantId: pool.tenantId,
    actor: { kind: "RUNNER", id: runner.id },
    action: AUDIT_ACTIONS.runnerRegistered,
    target: { type: "Runner", id: runner.id },
    details: { pool: pool.name, poolId: pool.id, name: body.value.name, version: body.value.version, capacity: body.value.capacity, firstTime: before === null },
    ip: clientIp(headerLookup(request.headers), deps.trustProxy ?? false),
  });
  // The pool decides the isolation; the runner refuses to run a pool whose provider it cannot start.
  const sandbox = { provider: pool.provider.toLowerCase(), egress: pool.egress.toLowerCase(), allowlist: pool.egressAllowlist };
  return Response.json(registerResponse.parse({ runnerId: runner.id, pool: pool.name, credential, sandbox }), { status: 200 });
}
