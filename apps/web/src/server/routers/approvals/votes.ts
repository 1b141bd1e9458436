// What the run page and the inbox show of an approval's votes: how many of the required approvals it has, and who
// approved (by name, as members know each other).
import type { TenantProcedureContext } from "../../trpc";

export interface VoteRow {
  userId: string;
  decision: "APPROVED" | "REJECTED";
}

/** The names of everyone who voted on these approvals, by user id (one query for the whole page). */
export async function voterNames(ctx: TenantProcedureContext, votes: VoteRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(votes.map((vote) => vote.userId))];
  if (ids.length === 0) return new Map();
  const users = await ctx.database.system("approvals: the names of the tenant's reviewers who voted").user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(users.map((user) => [user.id, user.name]));
}

export function approvalProgress(votes: VoteRow[], requiredApprovals: number, names: Map<string, string>) {
  const approvedBy = votes.filter((vote) => vote.decision === "APPROVED").map((vote) => ({ userId: vote.userId, name: names.get(vote.userId) ?? vote.userId }));
  return { approvals: approvedBy.length, requiredApprovals, approvedBy };
}
