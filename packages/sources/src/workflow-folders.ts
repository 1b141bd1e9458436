// Where a repository's workflows live: always .gantry/workflows; .github/workflows too when the repository opts in.
export const WORKFLOW_FOLDERS = [".gantry/workflows"];
export const GITHUB_WORKFLOW_FOLDER = ".github/workflows";

export const workflowFolders = (repository: { readGithubWorkflows: boolean }) =>
  repository.readGithubWorkflows ? [...WORKFLOW_FOLDERS, GITHUB_WORKFLOW_FOLDER] : WORKFLOW_FOLDERS;
