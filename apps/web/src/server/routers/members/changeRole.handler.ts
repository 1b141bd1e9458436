// members.changeRole (admin): a member's new role; the tenant's last admin keeps theirs (members/membership-change.ts).
import { AUDIT_ACTIONS, recordAudit } from "@gantry/db";
import { membershipChangeError } from "./membership-errors";
import { changeMembership } from "../../members/membership-change";
import type { TenantProcedureContext } from "../../trpc";
import type { ChangeRoleInput } from "./changeRole.schema";

export async function changeRoleHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ChangeRoleInput }) {
  const from = await changeMembership(ctx.database, { tenantId: ctx.tenant.id, userId: input.userId, to: input.role }).catch(membershipChangeError);
  if (from !== input.role) {
    await recordAudit(ctx.database, {
      tenantId: ctx.tenant.id,
      actor: { kind: "USER", id: ctx.session.userId },
      action: AUDIT_ACTIONS.membershipRoleChanged,
      target: { type: "Membership", id: `${ctx.tenant.id}/${input.userId}` },
      details: { userId: input.userId, from, to: input.role },
    });
  }
  return { userId: input.userId, from, to: input.role };
}
