// POST /api/runner/v1/register: a pool registration token buys a runner its own credential, which claim then
// requires. The token admits new runners to the pool; it does not make its holder any runner already there: a
// live runner's name is re-registered only with that runner's credential (a restart of a runner that is gone takes
// its name back freely). Refused calls write nothing; a registration is audited.
import { AUDIT_ACTIONS, hashToken, newToken, randomId, recordAudit, tokenMatches } from "@gantry/db";
import { registerRequest, registerResponse } from "@gantry/runner-protocol";
import { clientIp, headerLookup } from "../http/client-ip";
import type { RunnerApiDeps } from "./deps";
import { bearer, readBody, refuse } from "./respond";
import { providerColumns } from "../provider-columns";
import { runnerIsLive } from "./runner-liveness";
import { isUniqueViolation } from "../prisma-errors";


export async function handleRegister(request: Request, deps: Pick<RunnerApiDeps, "database" | "trustProxy">): Promise<Response> {
  const token = bearer(request);
  if (!token) return refuse(401, "unauthorized", "Missing `Authorization: Bearer <pool registration token>` header.");
  // The body first, bounded while read: an unauthenticated caller can make us read at most the limit, and no lookup.
  const body = await readBody(request, registerRequest);
  if (!body.ok) return body.response;
  const sys = deps.database.system("runner register: find the pool by its registration token");
  const pool = await sys.runnerPool.findFirst({ where: { registrationTokenHash: hashToken(token) }, select: { id: true, tenantId: true, name: true, registrationTokenHash: true, provider: true, egress: true, egressAllowlist: true } });
  if (!pool || !tokenMatches(token, pool.registrationTokenHash)) return refuse(401, "unauthorized", "The registration token does not belong to any runner pool.");
  const { name, version, capacity, providers, credential: previous } = body.value;
  const nameInUse = (why: string) =>
    refuse(409, "runner_name_in_use", `A live runner named '${name}' is in pool '${pool.name}' (${why}). Registering under its name needs its credential; give this runner another GANTRY_RUNNER_NAME, or start it once the other has been gone for 30 s.`);

  const credential = newToken("grc");
  const now = new Date();
  const fields = { version, capacity, providers: providerColumns(providers), credentialHash: hashToken(credential), status: "ONLINE" as const, lastSeenAt: now };
  const existing = await sys.runner.findUnique({ where: { poolId_name: { poolId: pool.id, name } }, select: { id: true, credentialHash: true, lastSeenAt: true, status: true } });
  let runnerId: string;
  if (existing) {
    const own = previous !== undefined && tokenMatches(previous, existing.credentialHash);
    if (!own && (await runnerIsLive(sys, existing, now))) return nameInUse(`last seen ${existing.lastSeenAt.toISOString()}, or running a job`);
    // Conditional on the credential read above: of two registrations racing for a name, one wins.
    // A drained runner that restarts stays drained: only an admin's remove (then a fresh registration) undoes it.
    const taken = await sys.runner.updateMany({ where: { id: existing.id, credentialHash: existing.credentialHash }, data: { ...fields, status: existing.status === "DRAINING" ? "DRAINING" : "ONLINE" } });
    if (taken.count === 0) return nameInUse("it registered a moment ago");
    runnerId = existing.id;
  } else {
    runnerId = randomId("rnr");
    try {
      await sys.runner.create({ data: { id: runnerId, poolId: pool.id, name, ...fields } });
    } catch (error) {
      if (isUniqueViolation(error)) return nameInUse("it registered a moment ago");
      throw error;
    }
  }
  // The pool's tenant reads it (a shared pool's registrations are platform events).
  await recordAudit(deps.database, {
    tenantId: pool.tenantId,
    actor: { kind: "RUNNER", id: runnerId },
    action: AUDIT_ACTIONS.runnerRegistered,
    target: { type: "Runner", id: runnerId },
    details: { pool: pool.name, poolId: pool.id, name, version, capacity, firstTime: existing === null },
    ip: clientIp(headerLookup(request.headers), deps.trustProxy ?? false),
  });
  // The pool decides the isolation; the runner refuses to run a pool whose provider it cannot start.
  const sandbox = { provider: pool.provider.toLowerCase(), egress: pool.egress.toLowerCase(), allowlist: pool.egressAllowlist };
  return Response.json(registerResponse.parse({ runnerId, pool: pool.name, credential, sandbox }), { status: 200 });
}
