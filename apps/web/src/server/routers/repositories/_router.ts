import { createTRPCRouter, maintainerProcedure, viewerProcedure } from "../../trpc";
import { listRepositoriesHandler } from "./list.handler";
import { listRepositoriesInput } from "./list.schema";
import { setWorkflowFoldersHandler } from "./setWorkflowFolders.handler";
import { setWorkflowFoldersInput } from "./setWorkflowFolders.schema";

export const repositoriesRouter = createTRPCRouter({
  list: viewerProcedure.input(listRepositoriesInput).query(listRepositoriesHandler),
  setWorkflowFolders: maintainerProcedure.input(setWorkflowFoldersInput).mutation(setWorkflowFoldersHandler),
});
