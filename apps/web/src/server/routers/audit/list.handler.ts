// audit.list (admin): one tenant's audit log, newest first, a page at a time, narrowed by actor, action, object and
// time. ctx.db is the tenant's own client, so another tenant's events and platform events (no tenant) cannot be reached.
import { listAudit } from "@gantry/db";
import type { TenantProcedureContext } from "../../trpc";
import type { ListAuditInput } from "./list.schema";

export async function listAuditHandler({ ctx, input }: { ctx: TenantProcedureContext; input: ListAuditInput }) {
  const page = await listAudit(ctx.db, {
    limit: input.limit,
    ...(input.cursor ? { cursor: input.cursor } : {}),
    ...(input.action ? { action: input.action } : {}),
    ...(input.actor ? { actorId: input.actor } : {}),
    ...(input.targetType ? { targetType: input.targetType } : {}),
    ...(input.targetId ? { targetId: input.targetId } : {}),
    ...(input.since ? { since: new Date(input.since) } : {}),
    ...(input.until ? { until: new Date(input.until) } : {}),
  });
  // Dates cross tRPC as ISO strings (docs/web.md).
  return { events: page.events.map((event) => ({ ...event, at: event.at.toISOString() })), nextCursor: page.nextCursor };
}
