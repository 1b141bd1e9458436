import type { SessionUser } from "./auth";
import { createCaller } from "./routers/_app";
import { getServices } from "./services";
import { createTRPCContext } from "./trpc";

/** tRPC without HTTP, for server components: the same procedure chain and checks as /api/trpc. */
export function serverCaller(session: SessionUser | null) {
  const services = getServices();
  const { database, redis, queues } = services;
  return createCaller(createTRPCContext({ session, database, redis, queues, github: () => services.githubClient(), masterKey: services.masterKey, tenantAdminsSetPriority: services.env.GANTRY_TENANT_ADMINS_SET_PRIORITY, scheduler: services.scheduler }));
}
