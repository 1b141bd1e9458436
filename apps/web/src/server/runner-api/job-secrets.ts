// The secrets of one job attempt (DESIGN.md invariant 8): handed to the runner with the claim — only the names
// the job references, never for an untrusted run (a pull request from a fork) — and used again to mask what the
// attempt sends back (logs, step summaries, annotations), so a runner that fails to mask cannot leak them.
import { secretsForJob, type Database } from "@gantry/db";
import { Masker } from "@gantry/runner-protocol";
import { secretReferences } from "@gantry/workflow-schema";
import { z } from "zod";

const storedPlan = z.object({ jobs: z.array(z.looseObject({ key: z.string(), environment: z.looseObject({ name: z.string() }).optional() })) });

export interface JobForSecrets {
  tenantId: string;
  key: string;
  environmentName: string | null;
  run: { repositoryId: string; trusted: boolean; plan: unknown };
}

export async function jobSecrets(database: Database, masterKey: Buffer | null, job: JobForSecrets, log: (line: string) => void = () => undefined): Promise<Record<string, string>> {
  if (!job.run.trusted) return {};
  const plan = storedPlan.safeParse(job.run.plan);
  const planned = plan.success ? plan.data.jobs.find((candidate) => candidate.key === job.key) : undefined;
  if (!planned) return {};
  const wanted = secretReferences(planned);
  if (!wanted.all && wanted.names.length === 0) return {};
  if (!masterKey) {
    log(`job ${job.key} references secrets, but GANTRY_MASTER_KEY is not set on the control plane: it runs without them`);
    return {};
  }
  const declared = planned.environment?.name;
  const environmentName = job.environmentName ?? (declared && !declared.includes("${{") ? declared : null);
  return secretsForJob(database, masterKey, { tenantId: job.tenantId, actor: { kind: "RUNNER" } }, { repositoryId: job.run.repositoryId, environmentName }, wanted);
}

const CACHE_MS = 5 * 60_000;
const CACHE_ENTRIES = 1_000;

/** Maskers per attempt, for the routes that ingest what an attempt sends; kept briefly in memory only. */
export class AttemptMaskers {
  private readonly cache = new Map<string, { masker: Promise<Masker>; until: number }>();

  constructor(
    private readonly database: Database,
    private readonly masterKey: Buffer | null,
  ) {}

  maskerFor(attemptId: string): Promise<Masker> {
    const now = Date.now();
    const hit = this.cache.get(attemptId);
    if (hit && hit.until > now) return hit.masker;
    if (this.cache.size >= CACHE_ENTRIES) for (const [key, entry] of this.cache) if (entry.until <= now || this.cache.size >= CACHE_ENTRIES) this.cache.delete(key);
    const masker = this.load(attemptId);
    this.cache.set(attemptId, { masker, until: now + CACHE_MS });
    masker.catch(() => this.cache.delete(attemptId));
    return masker;
  }

  private async load(attemptId: string): Promise<Masker> {
    const attempt = await this.database.system("runner API: the attempt's secrets, to mask what it sends").jobAttempt.findUnique({
      where: { id: attemptId },
      select: { job: { select: { tenantId: true, key: true, environmentName: true, run: { select: { repositoryId: true, trusted: true, plan: true } } } } },
    });
    return new Masker(attempt ? Object.values(await jobSecrets(this.database, this.masterKey, attempt.job)) : []);
  }
}
