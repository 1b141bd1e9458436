// What the tRPC procedure tests share: a member of the demo tenant with a role, a caller for a session, and the
// TRPCError a refused call throws.
import { randomId, type Role } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, type WebTestContext } from "./support";

export async function member(t: WebTestContext, role: Role, tenantId: string = DEMO.tenantId): Promise<SessionUser> {
  const id = randomId("usr");
  await t.database.system("test").user.create({ data: { id, email: `${id}@example.test`, name: id } });
  await t.database.system("test").membership.create({ data: { tenantId, userId: id, role } });
  return { userId: id, email: `${id}@example.test`, name: id };
}

export const callerFor = (t: WebTestContext, session: SessionUser, extra: Pick<Parameters<typeof createTRPCContext>[0], "github" | "masterKey"> = {}) =>
  createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues, ...extra }));

export async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to be refused");
}

/** The audit entries with this action, oldest first. */
export const auditOf = (t: WebTestContext, action: string) => t.database.system("test").auditEvent.findMany({ where: { action }, orderBy: { id: "asc" } });
