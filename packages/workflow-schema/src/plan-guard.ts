// A stored plan read back from Postgres (WorkflowRun.plan) is JSON again: this checks it has the shape the
// compiler wrote before code that expects a WorkflowPlan (expandDynamicJob) trusts it.
import { z } from "zod";
import type { WorkflowPlan } from "./plan";

const strings = z.record(z.string(), z.string());
const plannedStep = z.looseObject({ index: z.number().int(), if: z.string(), env: strings, with: strings });
const plannedJob = z.looseObject({
  key: z.string(),
  jobId: z.string(),
  name: z.string(),
  needs: z.array(z.string()),
  runsOn: z.array(z.string()),
  timeoutMinutes: z.union([z.number(), z.string()]),
  continueOnError: z.union([z.boolean(), z.string()]),
  steps: z.array(plannedStep),
  outputs: strings,
  env: strings,
  failFast: z.union([z.boolean(), z.string()]),
  retry: z.object({ maxAttempts: z.number().int().positive(), on: z.literal("platform") }),
});
const workflowPlanShape = z.looseObject({ file: z.string(), name: z.string(), triggers: z.array(z.looseObject({ event: z.string() })), env: strings, jobs: z.array(plannedJob) });

export function isWorkflowPlan(value: unknown): value is WorkflowPlan {
  return workflowPlanShape.safeParse(value).success;
}
