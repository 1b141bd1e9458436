// ACTIONS_RUNTIME_TOKEN: a JWT shaped like GitHub's so the actions toolkit can read it. @actions/artifact takes the
// run's and job's backend ids from `scp` (`Actions.Results:<run id>:<job id>`, getBackendIdsFromToken) and sends
// them back in every request; the services accept only the token they signed (HS256, a key derived from the web's
// secret), and only for the attempt it names (`gantry_attempt`). It expires with the job's time limit.
import { createHmac } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";

const ISSUER = "gantry";
const AUDIENCE = "gantry-actions-services";
/** Post steps (cache saves) run after the job's own steps: a little past the time limit. */
const GRACE_MS = 15 * 60_000;

/** The HS256 key, derived from the web's secret as the object-URL secret is, but for this use only. */
export const runtimeTokenKey = (webSecret: string): Uint8Array => createHmac("sha256", webSecret).update("gantry actions runtime token").digest();

export interface RuntimeTokenSubject {
  tenantId: string;
  runId: string;
  jobRunId: string;
  attemptId: string;
}

export async function mintRuntimeToken(key: Uint8Array, subject: RuntimeTokenSubject, job: { issuedAt: number; timeoutMinutes: number }): Promise<string> {
  return new SignJWT({
    scp: `Actions.GenericRead:${subject.runId} Actions.UploadArtifacts:${subject.runId}:${subject.jobRunId} Actions.Results:${subject.runId}:${subject.jobRunId}`,
    gantry_tenant: subject.tenantId,
    gantry_attempt: subject.attemptId,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(subject.jobRunId)
    .setIssuedAt(Math.floor(job.issuedAt / 1000))
    .setExpirationTime(Math.ceil((job.issuedAt + job.timeoutMinutes * 60_000 + GRACE_MS) / 1000))
    .sign(key);
}

const claims = z.object({ scp: z.string(), gantry_tenant: z.string().min(1), gantry_attempt: z.string().min(1) });
const RESULTS_SCOPE = /(?:^| )Actions\.Results:([^: ]+):([^: ]+)(?: |$)/;

export type VerifiedRuntimeToken = { ok: true; subject: RuntimeTokenSubject } | { ok: false; error: string };

/** The subject of a token this control plane signed and that has not expired at `now` (ms); otherwise why not. */
export async function verifyRuntimeToken(key: Uint8Array, token: string, now: number): Promise<VerifiedRuntimeToken> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(now) }));
  } catch (error) {
    const expired = error instanceof Error && "code" in error && error.code === "ERR_JWT_EXPIRED";
    return { ok: false, error: expired ? "The runtime token has expired." : "The runtime token does not verify." };
  }
  const parsed = claims.safeParse(payload);
  const ids = parsed.success ? RESULTS_SCOPE.exec(parsed.data.scp) : null;
  if (!parsed.success || !ids?.[1] || !ids[2]) return { ok: false, error: "The runtime token lacks its claims." };
  return { ok: true, subject: { tenantId: parsed.data.gantry_tenant, runId: ids[1], jobRunId: ids[2], attemptId: parsed.data.gantry_attempt } };
}
