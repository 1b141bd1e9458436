import { adminProcedure, createTRPCRouter, viewerProcedure } from "../../trpc";
import { createPoolHandler } from "./createPool.handler";
import { createPoolInput } from "./createPool.schema";
import { deletePoolHandler } from "./deletePool.handler";
import { deletePoolInput } from "./deletePool.schema";
import { drainRunnerHandler } from "./drainRunner.handler";
import { drainRunnerInput } from "./drainRunner.schema";
import { listRunnersHandler } from "./list.handler";
import { listRunnersInput } from "./list.schema";
import { removeRunnerHandler } from "./removeRunner.handler";
import { removeRunnerInput } from "./removeRunner.schema";
import { rotateRegistrationTokenHandler } from "./rotateRegistrationToken.handler";
import { rotateRegistrationTokenInput } from "./rotateRegistrationToken.schema";
import { setSharedPoolSecretsHandler } from "./setSharedPoolSecrets.handler";
import { setSharedPoolSecretsInput } from "./setSharedPoolSecrets.schema";
import { updatePoolHandler } from "./updatePool.handler";
import { updatePoolInput } from "./updatePool.schema";

export const runnersRouter = createTRPCRouter({
  list: viewerProcedure.input(listRunnersInput).query(listRunnersHandler),
  // Answers the new pool's registration token once; nothing returns it again.
  createPool: adminProcedure.input(createPoolInput).mutation(createPoolHandler),
  updatePool: adminProcedure.input(updatePoolInput).mutation(updatePoolHandler),
  deletePool: adminProcedure.input(deletePoolInput).mutation(deletePoolHandler),
  drainRunner: adminProcedure.input(drainRunnerInput).mutation(drainRunnerHandler),
  removeRunner: adminProcedure.input(removeRunnerInput).mutation(removeRunnerHandler),
  // Answers the new token once; nothing returns it again.
  rotateRegistrationToken: adminProcedure.input(rotateRegistrationTokenInput).mutation(rotateRegistrationTokenHandler),
  setSharedPoolSecrets: adminProcedure.input(setSharedPoolSecretsInput).mutation(setSharedPoolSecretsHandler),
});
