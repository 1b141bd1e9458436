// members.list (viewer): who is in the tenant, with their role and since when; `canManage` tells the page whether
// to show the admin controls (the procedures check the role again).
import type { TenantProcedureContext } from "../../trpc";

export async function listMembersHandler({ ctx }: { ctx: TenantProcedureContext }) {
  const rows = await ctx.db.membership.findMany({
    select: { role: true, createdAt: true, user: { select: { id: true, name: true, email: true, githubLogin: true } } },
    orderBy: [{ createdAt: "asc" }, { userId: "asc" }],
  });
  return {
    canManage: ctx.role === "ADMIN",
    you: ctx.session.userId,
    members: rows.map((row) => ({ userId: row.user.id, name: row.user.name, email: row.user.email, githubLogin: row.user.githubLogin, role: row.role, joinedAt: row.createdAt.toISOString() })),
  };
}
