// The one reader of a stored plan (WorkflowRun.plan, written by the compiler and revised by matrix expansion and
// reusable calls). Postgres gives JSON back: this checks the shape the engine relies on, once, for every part of
// the engine (advance, enqueue, claim, secrets). Fields the compiler always writes are required; a row that does
// not match reads as no plan, and its jobs fail with that said rather than run with guessed settings.
import { z } from "zod";

const strings = z.record(z.string(), z.string());
const callSecrets = z.union([z.literal("inherit"), z.record(z.string(), z.string())]);

export const storedJob = z.looseObject({
  key: z.string(),
  jobId: z.string().optional(),
  name: z.string().default(""),
  matrix: z.record(z.string(), z.unknown()).optional(),
  needs: z.array(z.string()).default([]),
  runsOn: z.array(z.string()).default([]),
  if: z.string().optional(),
  environment: z.looseObject({ name: z.string(), url: z.string().optional() }).optional(),
  concurrency: z.object({ group: z.string(), cancelInProgress: z.union([z.boolean(), z.string()]) }).optional(),
  timeoutMinutes: z.union([z.number(), z.string()]).default(360),
  continueOnError: z.union([z.boolean(), z.string()]).default(false),
  outputs: strings.default({}),
  env: strings.default({}),
  maxParallel: z.union([z.number(), z.string()]).optional(),
  failFast: z.union([z.boolean(), z.string()]).default(true),
  dynamicMatrix: z.unknown().optional(),
  uses: z.string().optional(),
  calledBy: z.string().optional(),
  callSecrets: callSecrets.optional(),
  permissions: z.unknown().optional(),
  retry: z.object({ maxAttempts: z.number().int().positive() }).loose().optional(),
});
export type StoredJob = z.infer<typeof storedJob>;

export const storedPlan = z.looseObject({
  file: z.string().default(""),
  name: z.string().default(""),
  env: strings.default({}),
  concurrency: z.object({ group: z.string(), cancelInProgress: z.union([z.boolean(), z.string()]) }).optional(),
  jobs: z.array(storedJob).default([]),
});
export type StoredPlan = z.infer<typeof storedPlan>;

/** The run's plan, or null when the stored JSON is not one (the caller says so instead of guessing). */
export function readPlan(value: unknown): StoredPlan | null {
  const parsed = storedPlan.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** One planned job by key; undefined when the plan is unreadable or has no such job. */
export function plannedJob(plan: unknown, key: string): StoredJob | undefined {
  return readPlan(plan)?.jobs.find((job) => job.key === key);
}
