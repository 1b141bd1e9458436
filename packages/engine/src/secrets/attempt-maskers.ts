// What an attempt sends back (logs, step summaries, annotations) is masked on the control plane with the attempt's
// secrets and its GITHUB_TOKEN, so a runner that fails to mask cannot leak them (DESIGN.md invariant 8). One masker
// per attempt, kept briefly in memory only.
import { attemptSecretsSubject, type Database } from "@gantry/db";
import { Masker } from "@gantry/runner-protocol";
import { readPlan, storedJob } from "../plan/read-plan";
import { openAttemptGithubToken } from "./attempt-github-token";
import { jobSecrets } from "./job-secrets";

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
    const subject = await attemptSecretsSubject(this.database.sql("engine: the attempt's secrets, to mask what it sends"), attemptId);
    if (!subject) return new Masker([]);
    const own = storedJob.safeParse(subject.planned);
    // A called job's secrets come through its callers' entries: those need the whole plan.
    const plan = own.success && own.data.calledBy === undefined ? readPlan({ jobs: [own.data] }) : readPlan(await this.fullPlan(attemptId));
    const job = { tenantId: subject.tenantId, key: subject.key, environmentName: subject.environmentName, run: { repositoryId: subject.repositoryId, trusted: subject.trusted, plan } };
    // The job's GITHUB_TOKEN is masked like its secrets, for as long as it is sealed on the attempt.
    const githubToken = await openAttemptGithubToken(this.database, this.masterKey, subject.tenantId, attemptId, subject.githubTokenSealed);
    return new Masker([...Object.values(await jobSecrets(this.database, this.masterKey, job)), ...(githubToken ? [githubToken] : [])]);
  }

  private async fullPlan(attemptId: string): Promise<unknown> {
    const attempt = await this.database.system("engine: the plan of a called job's run, to mask its secrets").jobAttempt.findUnique({
      where: { id: attemptId },
      select: { job: { select: { run: { select: { plan: true } } } } },
    });
    return attempt?.job.run.plan ?? null;
  }
}
