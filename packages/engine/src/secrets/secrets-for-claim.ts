// The secrets a claim hands to one runner: the job's (job-secrets.ts), and only when the runner's pool may receive
// them — its tenant's own pool, or a shared pool the tenant opted in to sending secrets to. Routing already keeps
// jobs that use secrets off other shared pools (docs/secrets.md); this is the last check, for a job placed before
// an opt-in was withdrawn: it runs without secrets and the control plane's log says why. Whether the pool may
// receive them was read when the job was claimed (ClaimedJob.receivesSecrets), in the same pool lookup that
// checked it may serve it.
import type { Database } from "@gantry/db";
import { referencesSecrets } from "../dispatch/job-receives-secrets";
import { jobSecrets, type JobForSecrets } from "./job-secrets";

export async function secretsForClaim(database: Database, pool: { id: string; receivesSecrets: boolean }, masterKey: Buffer | null, job: JobForSecrets, log: (line: string) => void): Promise<Record<string, string>> {
  if (pool.receivesSecrets) return jobSecrets(database, masterKey, job, log);
  const planned = job.run.plan?.jobs.find((candidate) => candidate.key === job.key);
  if (job.run.trusted && planned !== undefined && referencesSecrets(planned)) {
    log(`job ${job.key} of tenant ${job.tenantId} runs without its secrets: runner pool ${pool.id} is shared and the tenant has not opted in to sending it secrets`);
  }
  return {};
}
