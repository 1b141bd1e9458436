// members.remove (admin): ends a membership; the tenant's last admin stays (members/membership-change.ts).
import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { changeMembership } from "../../members/membership-change";
import type { TenantProcedureContext } from "../../trpc";
import { membershipChangeError } from "./membership-errors";
import type { RemoveMemberInput } from "./remove.schema";

export async function removeMemberHandler({ ctx, input }: { ctx: TenantProcedureContext; input: RemoveMemberInput }) {
  const role = await changeMembership(ctx.database, { tenantId: ctx.tenant.id, userId: input.userId, to: null }).catch(membershipChangeError);
  await recordAudit(ctx.database, {
    tenantId: ctx.tenant.id,
    actor: { kind: "USER", id: ctx.session.userId },
    action: AUDIT_ACTIONS.membershipRemoved,
    target: { type: "Membership", id: `${ctx.tenant.id}/${input.userId}` },
    details: { userId: input.userId, role },
  });
  return { userId: input.userId, removed: true };
}
