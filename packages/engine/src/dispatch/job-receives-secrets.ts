// Whether a planned job would be handed secrets at claim: it references some (`secrets.X`, or a use that cannot be
// narrowed). The claim's own rule (apps/web job-secrets.ts) reads the same references; routing needs only yes/no.
import { secretReferences } from "@gantry/workflow-schema";
import { plannedJob } from "../plan/read-plan";

export function jobReceivesSecrets(plan: unknown, key: string): boolean {
  const planned = plannedJob(plan, key);
  if (!planned) return false;
  // What a called job's caller passes names the caller's secrets, not this job's (as job-secrets.ts reads it).
  const { calledBy: _caller, callSecrets: _passed, ...own } = planned;
  const wanted = secretReferences(own);
  return wanted.all || wanted.names.length > 0;
}
