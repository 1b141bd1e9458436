// The job's GITHUB_TOKEN (issue #14): an installation token narrowed to the run's repository and to the job's
// `permissions:` (GitHub's rules: packages/github token-permissions.ts), read-only for an untrusted run (a pull
// request from a fork). Minted at claim, sealed on the attempt (so the control plane masks it in what the attempt
// sends, and can revoke it), and revoked when the attempt ends (the `revoke-github-token` job).
import { secretStore, type Database } from "@gantry/db";
import { jobTokenPermissions, tenantDefaultTokenPermissions, withinInstallation, workflowPermissions, type GithubClient } from "@gantry/github";
import { revokeGithubTokenJobId, type Queues } from "@gantry/jobs";
// Sealed under the engine's purpose (bound as AAD), so the engine can open it to mask it.
import { attemptGithubTokenPurpose } from "@gantry/engine";


/** What the runner API needs to reach GitHub as the App: the client and the web host (clone URLs, GITHUB_SERVER_URL). */
export interface RunnerGithub {
  client: GithubClient;
  webUrl: string;
}

export interface JobTokenInput {
  tenantId: string;
  attemptId: string;
  installationId: bigint;
  /** GitHub's id of the repository when known; else its name within the installation's account. */
  repositoryGithubId: bigint | null;
  fullName: string;
  /** The planned job's `permissions:` (the job's own, else the workflow's), as stored in the plan; undefined: none. */
  permissions: unknown;
  trusted: boolean;
}

/**
 * Mints and seals the job's token; null when GitHub refuses or cannot be reached (the job runs without one, and the
 * reason is logged). Without a master key the token cannot be sealed: it is handed out but neither masked
 * server-side nor revoked early (GitHub expires it within the hour).
 */
export async function mintJobGithubToken(database: Database, github: RunnerGithub, masterKey: Buffer | null, input: JobTokenInput, log: (line: string) => void = (line) => console.error(`[runner-api] ${line}`)): Promise<string | null> {
  const declared = workflowPermissions.optional().catch(undefined).parse(input.permissions);
  // A job that declares no `permissions:` gets the tenant's default (tenants.updateSettings defaultTokenPermissions).
  const tenantCtx = { tenantId: input.tenantId, actor: { kind: "RUNNER" as const } };
  const tenant = await database.forTenant(tenantCtx).tenant.findUniqueOrThrow({ where: { id: input.tenantId }, select: { defaultTokenPermissions: true } });
  const wanted = jobTokenPermissions({ job: declared, trusted: input.trusted, defaults: tenantDefaultTokenPermissions(tenant.defaultTokenPermissions) });
  try {
    const granted = await github.client.tokens.installationPermissions(input.installationId);
    const permissions = withinInstallation(wanted, granted);
    const name = input.fullName.split("/")[1] ?? input.fullName;
    const minted = await github.client.tokens.mintNarrowed(input.installationId, {
      ...(input.repositoryGithubId !== null ? { repositoryIds: [Number(input.repositoryGithubId)] } : { repositories: [name] }),
      permissions,
    });
    if (masterKey) {
      const ctx = { tenantId: input.tenantId, actor: { kind: "RUNNER" as const } };
      const sealed = await secretStore(database.forTenant(ctx), ctx, masterKey).sealValue(attemptGithubTokenPurpose(input.attemptId), minted.token);
      await database.forTenant(ctx).jobAttempt.update({ where: { id: input.attemptId }, data: { githubTokenSealed: sealed } });
    }
    return minted.token;
  } catch (error) {
    log(`attempt ${input.attemptId}: no GITHUB_TOKEN for ${input.fullName}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/** Asks the worker to revoke the attempt's token; idempotent per attempt. */
export async function requestTokenRevocation(queues: Pick<Queues, "add">, tenantId: string, attemptId: string): Promise<void> {
  await queues.add("revoke-github-token", { tenantId, attemptId }, revokeGithubTokenJobId(attemptId));
}
