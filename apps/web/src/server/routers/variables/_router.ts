import { createTRPCRouter, maintainerProcedure, tenantInput, viewerProcedure } from "../../trpc";
import { deleteVariableHandler, setVariableHandler, variablesOverviewHandler } from "./variables.handler";
import { deleteVariableInput, setVariableInput } from "./variables.schema";

export const variablesRouter = createTRPCRouter({
  // Values too: variables are not secret (docs/variables.md).
  overview: viewerProcedure.input(tenantInput).query(variablesOverviewHandler),
  set: maintainerProcedure.input(setVariableInput).mutation(setVariableHandler),
  delete: maintainerProcedure.input(deleteVariableInput).mutation(deleteVariableHandler),
});
