import type { SessionUser } from "../../auth";
import type { TRPCContext } from "../../trpc";

/** The tenants the caller is a member of, with their role in each. */
export async function listTenantsHandler({ ctx }: { ctx: TRPCContext & { session: SessionUser } }) {
  const memberships = await ctx.database
    .system("tRPC tenants.list: the caller's own memberships")
    .membership.findMany({
      where: { userId: ctx.session.userId },
      select: { role: true, tenant: { select: { id: true, slug: true, name: true } } },
      orderBy: { tenant: { name: "asc" } },
    });
  return memberships.map(({ role, tenant }) => ({ ...tenant, role }));
}
