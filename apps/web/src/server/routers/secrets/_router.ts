import { adminProcedure, createTRPCRouter, developerProcedure } from "../../trpc";
import { deleteSecretHandler, listSecretsHandler, setSecretHandler } from "./secrets.handler";
import { deleteSecretInput, listSecretsInput, setSecretInput } from "./secrets.schema";

export const secretsRouter = createTRPCRouter({
  // Names and dates only; no procedure returns a value.
  list: developerProcedure.input(listSecretsInput).query(listSecretsHandler),
  set: adminProcedure.input(setSecretInput).mutation(setSecretHandler),
  delete: adminProcedure.input(deleteSecretInput).mutation(deleteSecretHandler),
});
