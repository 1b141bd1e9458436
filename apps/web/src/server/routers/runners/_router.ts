import { adminProcedure, createTRPCRouter, viewerProcedure } from "../../trpc";
import { listRunnersHandler } from "./list.handler";
import { listRunnersInput } from "./list.schema";
import { rotateRegistrationTokenHandler } from "./rotateRegistrationToken.handler";
import { rotateRegistrationTokenInput } from "./rotateRegistrationToken.schema";
import { setSharedPoolSecretsHandler } from "./setSharedPoolSecrets.handler";
import { setSharedPoolSecretsInput } from "./setSharedPoolSecrets.schema";

export const runnersRouter = createTRPCRouter({
  list: viewerProcedure.input(listRunnersInput).query(listRunnersHandler),
  // Answers the new token once; nothing returns it again.
  rotateRegistrationToken: adminProcedure.input(rotateRegistrationTokenInput).mutation(rotateRegistrationTokenHandler),
  setSharedPoolSecrets: adminProcedure.input(setSharedPoolSecretsInput).mutation(setSharedPoolSecretsHandler),
});
