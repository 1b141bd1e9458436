// Who calls the toolkit services: the attempt its ACTIONS_RUNTIME_TOKEN names. A token this control plane did not
// sign, an expired one, or one whose attempt is not its job's current attempt is a 401; a write also needs the
// attempt to be live (its lease held), else the 409 reportableAttempt names.
import type { TenantClient } from "@gantry/db";
import { bearer, refuse } from "../runner-api/respond";
import { reportableAttempt } from "../runner-api/reportable-attempt";
import { tenantScope } from "../runner-api/objects";
import type { ActionsServiceDeps } from "./deps";
import { verifyRuntimeToken } from "./runtime-token";

export interface ServiceCaller {
  tenantId: string;
  attemptId: string;
  runId: string;
  jobRunId: string;
  scope: TenantClient;
  run: { ref: string; event: string; deliveryId: string | null; trusted: boolean; repositoryId: string; repository: { defaultBranch: string; fullName: string } };
}

export type Authenticated = { ok: true; caller: ServiceCaller } | { ok: false; response: Response };

const unauthorized = (error: string): Authenticated => ({ ok: false, response: refuse(401, "unauthorized", error) });

export async function authenticate(request: Request, deps: ActionsServiceDeps, access: "read" | "write"): Promise<Authenticated> {
  const token = bearer(request);
  if (!token) return unauthorized("Missing `Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>` header.");
  const verified = await verifyRuntimeToken(deps.tokenKey, token, deps.now());
  if (!verified.ok) return unauthorized(verified.error);
  const { subject } = verified;
  const scope = tenantScope(deps.database, subject.tenantId);
  const attempt = await scope.jobAttempt.findUnique({
    where: { id: subject.attemptId },
    select: {
      number: true,
      job: {
        select: {
          id: true,
          attempt: true,
          runId: true,
          run: { select: { ref: true, event: true, deliveryId: true, trusted: true, repositoryId: true, repository: { select: { defaultBranch: true, fullName: true } } } },
        },
      },
    },
  });
  if (!attempt || attempt.job.id !== subject.jobRunId || attempt.job.runId !== subject.runId) return unauthorized("The runtime token names no attempt of this job.");
  if (attempt.job.attempt !== attempt.number) return unauthorized("The runtime token belongs to an earlier attempt of the job.");
  if (access === "write") {
    const live = await reportableAttempt(deps.database, subject.attemptId);
    if (!live.ok) return live;
  }
  return { ok: true, caller: { ...subject, scope, run: attempt.job.run } };
}
