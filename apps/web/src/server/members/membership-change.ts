// Changing or ending a membership without leaving the tenant without an admin (docs/web.md "Members"): the change
// and the count of admins after it happen in one transaction under the tenant's admin lock, so two admins demoting
// each other at once cannot both succeed. The last admin cannot demote or remove themself.
import type { Database, Role } from "@gantry/db";
import { lockTenantAdmins } from "./admin-lock";

export class MembershipChangeError extends Error {
  override name = "MembershipChangeError";
  constructor(
    message: string,
    readonly reason: "not_a_member" | "last_admin",
  ) {
    super(message);
  }
}

/** `to`: the new role, or null to remove the member. Returns the role they had. */
export async function changeMembership(database: Database, change: { tenantId: string; userId: string; to: Role | null }): Promise<Role> {
  return database.system("members: change a membership, keeping an admin").$transaction(async (tx) => {
    await lockTenantAdmins(tx, change.tenantId);
    const key = { tenantId_userId: { tenantId: change.tenantId, userId: change.userId } };
    const before = await tx.membership.findUnique({ where: key, select: { role: true } });
    if (!before) throw new MembershipChangeError("That user is not a member of this tenant.", "not_a_member");
    if (before.role === "ADMIN" && change.to !== "ADMIN") {
      const others = await tx.membership.count({ where: { tenantId: change.tenantId, role: "ADMIN", userId: { not: change.userId } } });
      if (others === 0) {
        throw new MembershipChangeError(
          change.to === null ? "This is the tenant's last admin: make another member admin before removing them." : "This is the tenant's last admin: make another member admin before changing their role.",
          "last_admin",
        );
      }
    }
    if (change.to === null) await tx.membership.delete({ where: key });
    else await tx.membership.update({ where: key, data: { role: change.to } });
    return before.role;
  });
}
