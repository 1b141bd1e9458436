// Where a ready job stands in its pool's fair queue, for "why is my job waiting": its rank among its own tenant's
// ready jobs is exact; how many other tenants' jobs go first is estimated from start-time fair queuing — while the
// tenant's next rank + 1 jobs are served, another tenant that can be served (active, or throttled and so served at
// its rate) gets about (rank + 1) × its weight / this tenant's weight of them, never more than it has ready. A capped
// tenant gets none until one of its jobs ends.
import type { z } from "zod";
import type { explainReplySchema } from "./replies";

export type ExplainReply = z.output<typeof explainReplySchema>;

export interface PlaceInLine extends Omit<ExplainReply, "others" | "rank" | "weight"> {
  /** Jobs estimated to be claimed from the pool before this one; null unless the job is ready in the queue. */
  ahead: number | null;
  /** Of them, the tenant's own (exact). */
  aheadOfOwnTenant: number | null;
}

export function placeInLine(reply: ExplainReply): PlaceInLine {
  const { others, rank, weight, ...rest } = reply;
  if (rest.state !== "ready" || rank === null) return { ...rest, ahead: null, aheadOfOwnTenant: null };
  const otherTenants = others
    .filter((other) => other.placement === "active" || other.placement === "throttled")
    .reduce((sum, other) => sum + Math.min(other.ready, Math.ceil(((rank + 1) * other.weight) / weight)), 0);
  return { ...rest, ahead: rank + otherTenants, aheadOfOwnTenant: rank };
}
