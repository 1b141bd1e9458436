export { openRepository, GitRepository, GitReadError, ZERO_SHA } from "./git-repository";
export {
  GANTRY_WORKFLOW_FOLDER,
  GITHUB_WORKFLOW_FOLDER,
  WORKFLOW_FOLDERS,
  repositoryWorkflowFiles,
  selectWorkflowFiles,
  workflowFileRefusal,
  workflowFolders,
  type WorkflowFileLister,
  type WorkflowFolderSettings,
} from "./workflow-folders";
export { directoryTarball, readTree, tarballOf, tarballTopFolder, treeDigest, UnsafeTreeError, type TreeEntry } from "./directory-tarball";
export { ActionsDirectory, isFullSha, isSafeRef, type DirectoryAction } from "./actions-directory";
