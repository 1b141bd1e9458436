import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { callerOfRequest } from "../../../../server/api-tokens/request-caller";
import { MAX_TRPC_BODY_BYTES, withBodyLimit } from "../../../../server/http/body-limit";
import { appRouter } from "../../../../server/routers/_app";
import { getServices } from "../../../../server/services";
import { createTRPCContext } from "../../../../server/trpc";

export const dynamic = "force-dynamic";

const handler = withBodyLimit(MAX_TRPC_BODY_BYTES, async (request: Request) => {
  const services = getServices();
  const { database, redis, queues } = services;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: async () => createTRPCContext({ ...(await callerOfRequest(request, database)), database, redis, queues, github: () => services.githubClient(), masterKey: services.masterKey, tenantAdminsSetPriority: services.env.GANTRY_TENANT_ADMINS_SET_PRIORITY, scheduler: services.scheduler }),
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error);
    },
  });
});

export { handler as GET, handler as POST };
