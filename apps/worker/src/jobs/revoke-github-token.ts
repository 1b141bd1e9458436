// The job's GITHUB_TOKEN dies with its attempt: the `revoke-github-token` job opens the token sealed on the attempt,
// revokes it (DELETE /installation/token) and clears it. Every path that ends an attempt leads here: the complete
// route enqueues it at once, and the reaper's tick sweeps attempts that ended another way (lost, timed out,
// canceled) while still holding a token. One job id per attempt, so the paths never revoke twice at once.
import { secretStore, type Database } from "@gantry/db";
import { revokeInstallationToken, type Fetch } from "@gantry/github";
import { revokeGithubTokenJobId, type JobPayload, type Queues } from "@gantry/jobs";

const ACTIVE = ["ASSIGNED", "RUNNING"] as const;
const TERMINAL_JOB = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"] as const;

/** Same purpose as apps/web's runner-api/github-token.ts seals it under. */
const purpose = (attemptId: string) => `attempt:${attemptId}:github-token`;

export interface RevokeDeps {
  db: Database;
  masterKey: Buffer | null;
  /** Where the App's API is; null: no App configured now (the token is dropped: it expires within the hour). */
  github: { apiUrl: string; fetch?: Fetch } | null;
  log?: (line: string) => void;
}

export async function revokeAttemptGithubToken(deps: RevokeDeps, payload: JobPayload<"revoke-github-token">): Promise<"revoked" | "none" | "dropped"> {
  const ctx = { tenantId: payload.tenantId, actor: { kind: "SYSTEM" as const, id: "revoke-github-token" } };
  const scoped = deps.db.forTenant(ctx);
  const attempt = await scoped.jobAttempt.findUnique({ where: { id: payload.attemptId }, select: { githubTokenSealed: true } });
  if (!attempt?.githubTokenSealed) return "none";
  if (!deps.masterKey || !deps.github) {
    deps.log?.(`attempt ${payload.attemptId}: its GITHUB_TOKEN cannot be revoked (${deps.masterKey ? "no GitHub App configured" : "GANTRY_MASTER_KEY is not set"}); dropped, GitHub expires it within the hour`);
    await scoped.jobAttempt.update({ where: { id: payload.attemptId }, data: { githubTokenSealed: null } });
    return "dropped";
  }
  const token = await secretStore(scoped, ctx, deps.masterKey).openValue(purpose(payload.attemptId), attempt.githubTokenSealed);
  await revokeInstallationToken(deps.github.apiUrl, token, deps.github.fetch);
  await scoped.jobAttempt.update({ where: { id: payload.attemptId }, data: { githubTokenSealed: null } });
  return "revoked";
}

/** Enqueues the revocation of every ended attempt (or attempt of an ended job) that still holds a token. */
export async function sweepEndedAttemptTokens(db: Database, queues: Pick<Queues, "addBulk">, limit = 500): Promise<number> {
  const ended = await db.system("token sweep: ended attempts still holding a GITHUB_TOKEN").jobAttempt.findMany({
    where: { githubTokenSealed: { not: null }, OR: [{ status: { notIn: [...ACTIVE] } }, { job: { status: { in: [...TERMINAL_JOB] } } }] },
    select: { id: true, tenantId: true },
    take: limit,
  });
  await queues.addBulk("revoke-github-token", ended.map((attempt) => ({ payload: { tenantId: attempt.tenantId, attemptId: attempt.id }, jobId: revokeGithubTokenJobId(attempt.id) })));
  return ended.length;
}
