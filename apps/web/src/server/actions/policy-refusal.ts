// The tenant's allowed-actions policy (docs/actions.md), asked before anything is resolved or downloaded: intake
// refuses what a workflow names, this catches what only run time finds (actions nested in composite actions).
import type { Database } from "@gantry/db";
import { actionRefusal, actionsPolicySchema } from "@gantry/workflow-schema";

/** Why the tenant's policy refuses `uses` (shown to the user as the step's error), or null when it is allowed. */
export async function policyRefusal(database: Database, tenantId: string, uses: string): Promise<string | null> {
  const tenant = await database.system("actions resolve: the tenant's allowed-actions policy").tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { allowedActions: true } });
  const policy = actionsPolicySchema.safeParse(tenant.allowedActions);
  // A stored value no writer could have made is the platform's fault, and never means "allow all".
  if (!policy.success) return `this tenant's allowed-actions policy cannot be read (${policy.error.issues.map((issue) => issue.message).join("; ")}): no remote action is allowed until an admin saves it again`;
  return actionRefusal(policy.data, uses);
}
