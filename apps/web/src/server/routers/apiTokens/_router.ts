// The signed-in user's own API tokens (not a tenant's: authed, no tenant). A call made with a token reaches these
// only when that token has the admin scope: otherwise a runs:read token could list and a runs:write token could
// mint or revoke tokens, turning one leaked credential into others (docs/api.md, "Tokens managing tokens").
import { authedProcedure, createTRPCRouter, requireTokenScope } from "../../trpc";
import { createApiTokenHandler } from "./create.handler";
import { createApiTokenInput } from "./create.schema";
import { listApiTokensHandler } from "./list.handler";
import { revokeApiTokenHandler } from "./revoke.handler";
import { revokeApiTokenInput } from "./revoke.schema";

const tokenManagerProcedure = authedProcedure.use(({ ctx, path, next }) => {
  requireTokenScope(ctx, "admin", `${path} (managing API tokens)`);
  return next();
});

export const apiTokensRouter = createTRPCRouter({
  // Answers the token in clear once; nothing returns it again.
  create: tokenManagerProcedure.input(createApiTokenInput).mutation(createApiTokenHandler),
  list: tokenManagerProcedure.query(listApiTokensHandler),
  revoke: tokenManagerProcedure.input(revokeApiTokenInput).mutation(revokeApiTokenHandler),
});
