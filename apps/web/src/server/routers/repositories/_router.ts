import { adminProcedure, createTRPCRouter, maintainerProcedure, viewerProcedure } from "../../trpc";
import { connectGitHandler } from "./connectGit.handler";
import { connectGitInput } from "./connectGit.schema";
import { listRepositoriesHandler } from "./list.handler";
import { listRepositoriesInput } from "./list.schema";
import { rotateGitSecretHandler } from "./rotateGitSecret.handler";
import { rotateGitSecretInput } from "./rotateGitSecret.schema";
import { syncInstallationHandler } from "./syncInstallation.handler";
import { syncInstallationInput } from "./syncInstallation.schema";
import { setWorkflowFoldersHandler } from "./setWorkflowFolders.handler";
import { setWorkflowFoldersInput } from "./setWorkflowFolders.schema";

export const repositoriesRouter = createTRPCRouter({
  list: viewerProcedure.input(listRepositoriesInput).query(listRepositoriesHandler),
  // Both answer the git source's push secret once; nothing returns it again.
  connectGit: adminProcedure.input(connectGitInput).mutation(connectGitHandler),
  rotateGitSecret: adminProcedure.input(rotateGitSecretInput).mutation(rotateGitSecretHandler),
  syncInstallation: adminProcedure.input(syncInstallationInput).mutation(syncInstallationHandler),
  setWorkflowFolders: maintainerProcedure.input(setWorkflowFoldersInput).mutation(setWorkflowFoldersHandler),
});
