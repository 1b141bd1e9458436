// The sealed GITHUB_TOKEN of an attempt (minted by the web's claim route, which holds the GitHub App's key): sealed
// under the tenant's data key with the attempt bound as AAD, so a sealed token copied onto another attempt does not
// open. The engine opens it to mask it in what the attempt sends back.
import { secretStore, type Database } from "@gantry/db";

/** The purpose the token is sealed under. */
export const attemptGithubTokenPurpose = (attemptId: string) => `attempt:${attemptId}:github-token`;

/** The attempt's token in clear (for masking), or null when it has none or it was revoked. */
export async function openAttemptGithubToken(database: Database, masterKey: Buffer | null, tenantId: string, attemptId: string, sealed: Uint8Array | null): Promise<string | null> {
  if (!sealed || !masterKey) return null;
  const ctx = { tenantId, actor: { kind: "RUNNER" as const } };
  return secretStore(database.forTenant(ctx), ctx, masterKey).openValue(attemptGithubTokenPurpose(attemptId), sealed);
}
