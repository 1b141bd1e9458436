import type { z } from "zod";
import { tenantInput } from "../../trpc";
import { branchName, gitSourceName, gitUrl, repositoryFullName } from "./git-source-fields";

export const connectGitInput = tenantInput.extend({ name: gitSourceName, url: gitUrl, repository: repositoryFullName, defaultBranch: branchName.default("main") });
export type ConnectGitInput = z.infer<typeof connectGitInput>;
