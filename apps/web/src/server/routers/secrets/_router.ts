import { adminProcedure, createTRPCRouter, developerProcedure } from "../../trpc";
import { tenantInput } from "../../trpc";
import { deleteSecretHandler, listSecretsHandler, secretsOverviewHandler, setSecretHandler } from "./secrets.handler";
import { deleteSecretInput, listSecretsInput, setSecretInput } from "./secrets.schema";

export const secretsRouter = createTRPCRouter({
  // Names and dates only; no procedure returns a value.
  list: developerProcedure.input(listSecretsInput).query(listSecretsHandler),
  overview: developerProcedure.input(tenantInput).query(secretsOverviewHandler),
  set: adminProcedure.input(setSecretInput).mutation(setSecretHandler),
  delete: adminProcedure.input(deleteSecretInput).mutation(deleteSecretHandler),
});
