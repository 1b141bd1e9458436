// The tenant's allowed-actions policy (docs/actions.md), asked before anything is resolved or downloaded.
// MERGE HOOK: the policy itself (Tenant.allowedActions, workflow-schema's actionRefusal(policy, uses)) lands on
// another branch; wire it here: read the tenant's policy and return actionRefusal(policy, uses).
import type { Database } from "@gantry/db";

/** Why the tenant's policy refuses `uses` (shown to the user as the step's error), or null when it is allowed. */
export async function policyRefusal(_database: Database, _tenantId: string, _uses: string): Promise<string | null> {
  return null;
}
