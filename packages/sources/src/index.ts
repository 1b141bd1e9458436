export { openRepository, GitRepository, GitReadError, ZERO_SHA } from "./git-repository";
export { WORKFLOW_FOLDERS, GITHUB_WORKFLOW_FOLDER, workflowFolders } from "./workflow-folders";
