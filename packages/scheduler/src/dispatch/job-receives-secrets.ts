// Whether a planned job would be handed secrets at claim: it references some (`secrets.X`, or a use that cannot be
// narrowed). The claim's own rule (apps/web job-secrets.ts) reads the same references; routing needs only yes/no.
import { secretReferences } from "@gantry/workflow-schema";
import { z } from "zod";

const storedPlan = z.object({ jobs: z.array(z.looseObject({ key: z.string() })) });

export function jobReceivesSecrets(plan: unknown, key: string): boolean {
  const parsed = storedPlan.safeParse(plan);
  const planned = parsed.success ? parsed.data.jobs.find((candidate) => candidate.key === key) : undefined;
  if (!planned) return false;
  // What a called job's caller passes names the caller's secrets, not this job's (as job-secrets.ts reads it).
  const { calledBy: _caller, callSecrets: _passed, ...own } = planned;
  const wanted = secretReferences(own);
  return wanted.all || wanted.names.length > 0;
}
