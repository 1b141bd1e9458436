// One job's part of its run's plan (db's jobPlanSlice), read through the same schema as the whole plan: what a
// claim needs without reading the other cells of a big matrix. The result is a StoredPlan whose `jobs` are the job
// and its callers only, so code that looks a job or its callers up by key (the job's secrets) works unchanged; what
// needs the matrix's other cells gets them as the cell's place instead.
import { jobPlanSlice, type Database } from "@gantry/db";
import { storedPlan, type StoredJob, type StoredPlan } from "./read-plan";

export interface JobPlan {
  plan: StoredPlan;
  planned: StoredJob;
  /** A matrix cell's index among its matrix's cells and their number; null for a job that is not a cell. */
  place: { jobIndex: number; jobTotal: number } | null;
}

/** Undefined when the job's run or its plan entry is missing or unreadable (the caller fails the job saying so). */
export async function readJobPlan(db: Database, tenantId: string, jobId: string): Promise<JobPlan | undefined> {
  const slice = await jobPlanSlice(db.sql("engine: one job's part of its run's plan, for its claim"), tenantId, jobId);
  if (!slice) return undefined;
  const parsed = storedPlan.safeParse({ ...(typeof slice.head === "object" ? slice.head : {}), jobs: slice.chain });
  const planned = parsed.success ? parsed.data.jobs[0] : undefined;
  if (!parsed.success || !planned) return undefined;
  const place = slice.jobIndex !== null && slice.jobTotal !== null ? { jobIndex: slice.jobIndex, jobTotal: slice.jobTotal } : null;
  return { plan: parsed.data, planned, place };
}
