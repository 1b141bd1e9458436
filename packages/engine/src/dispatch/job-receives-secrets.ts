// Whether a planned job would be handed secrets at claim: it references some (`secrets.X`, or a use that cannot be
// narrowed). The claim's own rule (secrets/job-secrets.ts) reads the same references; routing needs only yes/no.
import { secretReferences } from "@gantry/workflow-schema";
import { plannedJob, type StoredJob } from "../plan/read-plan";

/** For a planned job already read (a run's plan is read once for all its jobs, not once per job). */
export function referencesSecrets(planned: StoredJob): boolean {
  // What a called job's caller passes names the caller's secrets, not this job's (as job-secrets.ts reads it).
  const { calledBy: _caller, callSecrets: _passed, ...own } = planned;
  const wanted = secretReferences(own);
  return wanted.all || wanted.names.length > 0;
}

export function jobReceivesSecrets(plan: unknown, key: string): boolean {
  const planned = plannedJob(plan, key);
  return planned !== undefined && referencesSecrets(planned);
}
