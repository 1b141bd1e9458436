import { createTRPCRouter, maintainerProcedure, viewerProcedure } from "../../trpc";
import { createEnvironmentHandler } from "./create.handler";
import { createEnvironmentInput } from "./create.schema";
import { deleteEnvironmentHandler } from "./delete.handler";
import { deleteEnvironmentInput } from "./delete.schema";
import { listEnvironmentsHandler } from "./list.handler";
import { listEnvironmentsInput } from "./list.schema";
import { setProtectionHandler } from "./setProtection.handler";
import { setProtectionInput } from "./setProtection.schema";

export const environmentsRouter = createTRPCRouter({
  list: viewerProcedure.input(listEnvironmentsInput).query(listEnvironmentsHandler),
  create: maintainerProcedure.input(createEnvironmentInput).mutation(createEnvironmentHandler),
  delete: maintainerProcedure.input(deleteEnvironmentInput).mutation(deleteEnvironmentHandler),
  setProtection: maintainerProcedure.input(setProtectionInput).mutation(setProtectionHandler),
});
