import { z } from "zod";
import { tenantInput } from "../../trpc";

export const setWorkflowFoldersInput = tenantInput.extend({
  repositoryId: z.string().min(1).max(200),
  /** Read `.gantry/workflows` (wins over a `.github/workflows` file of the same name). */
  readGantryWorkflows: z.boolean(),
  /** Read `.github/workflows`. */
  readGithubWorkflows: z.boolean(),
});
export type SetWorkflowFoldersInput = z.infer<typeof setWorkflowFoldersInput>;
