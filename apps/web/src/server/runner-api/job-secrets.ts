// The secrets of one job attempt (DESIGN.md invariant 8): handed to the runner with the claim — only the names
// the job references, never for an untrusted run (a pull request from a fork) — and used again to mask what the
// attempt sends back (logs, step summaries, annotations), so a runner that fails to mask cannot leak them.
import { attemptSecretsSubject, secretsForJob, type Database } from "@gantry/db";
import { Masker } from "@gantry/runner-protocol";
import { readPlan, storedJob, type StoredJob } from "@gantry/engine";
import { openJobGithubToken } from "./github-token";
import { evaluateExpression, secretReferences, type SecretReferences } from "@gantry/workflow-schema";


export interface JobForSecrets {
  tenantId: string;
  key: string;
  environmentName: string | null;
  run: { repositoryId: string; trusted: boolean; plan: unknown };
}

type StoredSecrets = (wanted: SecretReferences) => Promise<Record<string, string>>;

export async function jobSecrets(database: Database, masterKey: Buffer | null, job: JobForSecrets, log: (line: string) => void = () => undefined): Promise<Record<string, string>> {
  if (!job.run.trusted) return {};
  // The engine's one plan reader (packages/engine/src/plan/read-plan.ts).
  const plan = readPlan(job.run.plan);
  const planned = plan?.jobs.find((candidate) => candidate.key === job.key);
  if (!plan || !planned) return {};
  // What a called job's caller passes (`callSecrets`) names the caller's secrets, not this job's.
  const { calledBy: _caller, callSecrets: _passed, ...own } = planned;
  const wanted = secretReferences(own);
  if (!wanted.all && wanted.names.length === 0) return {};
  if (!masterKey) {
    log(`job ${job.key} references secrets, but GANTRY_MASTER_KEY is not set on the control plane: it runs without them`);
    return {};
  }
  const declared = planned.environment?.name;
  const environmentName = job.environmentName ?? (declared && !declared.includes("${{") ? declared : null);
  const stored: StoredSecrets = (names) => secretsForJob(database, masterKey, { tenantId: job.tenantId, actor: { kind: "RUNNER" } }, { repositoryId: job.run.repositoryId, environmentName }, names);
  return secretsThroughCalls(plan.jobs, planned, wanted, stored);
}

/**
 * A job of a called reusable workflow sees what its call passes, as on GitHub: `secrets: inherit` — the caller's
 * own secrets; a `secrets:` map — each name's expression evaluated over the caller's secrets; nothing — none.
 * Calls nest, so the caller's secrets may themselves come through its own call.
 */
async function secretsThroughCalls(jobs: StoredJob[], planned: StoredJob, wanted: SecretReferences, stored: StoredSecrets): Promise<Record<string, string>> {
  if (planned.calledBy === undefined) return stored(wanted);
  const caller = jobs.find((candidate) => candidate.key === planned.calledBy);
  if (!caller || planned.callSecrets === undefined) return {};
  if (planned.callSecrets === "inherit") return secretsThroughCalls(jobs, caller, wanted, stored);
  const passed = Object.entries(planned.callSecrets).filter(([name]) => wanted.all || wanted.names.includes(name.toUpperCase()));
  const fromCaller = secretReferences(Object.fromEntries(passed));
  const callerSecrets = fromCaller.all || fromCaller.names.length > 0 ? await secretsThroughCalls(jobs, caller, fromCaller, stored) : {};
  const values: Record<string, string> = {};
  for (const [name, expression] of passed) {
    const value = expression.includes("${{") ? evaluateExpression(expression, { secrets: callerSecrets }) : { ok: true as const, value: expression };
    if (value.ok && value.value !== null && value.value !== "") values[name] = typeof value.value === "string" ? value.value : JSON.stringify(value.value);
  }
  return values;
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
    // The job's own plan entry, not the whole plan (a big matrix's plan is read once per attempt here otherwise).
    const subject = await attemptSecretsSubject(this.database.sql("runner API: the attempt's secrets, to mask what it sends"), attemptId);
    if (!subject) return new Masker([]);
    const own = storedJob.safeParse(subject.planned);
    // A called job's secrets come through its callers' entries: those need the whole plan.
    const plan = own.success && own.data.calledBy === undefined ? { jobs: [own.data] } : await this.fullPlan(attemptId);
    const job = { tenantId: subject.tenantId, key: subject.key, environmentName: subject.environmentName, run: { repositoryId: subject.repositoryId, trusted: subject.trusted, plan } };
    // The job's GITHUB_TOKEN is masked like its secrets, for as long as it is sealed on the attempt.
    const githubToken = await openJobGithubToken(this.database, this.masterKey, subject.tenantId, attemptId, subject.githubTokenSealed);
    return new Masker([...Object.values(await jobSecrets(this.database, this.masterKey, job)), ...(githubToken ? [githubToken] : [])]);
  }

  private async fullPlan(attemptId: string): Promise<unknown> {
    const attempt = await this.database.system("runner API: the plan of a called job's run, to mask its secrets").jobAttempt.findUnique({
      where: { id: attemptId },
      select: { job: { select: { run: { select: { plan: true } } } } },
    });
    return attempt?.job.run.plan ?? null;
  }
}
