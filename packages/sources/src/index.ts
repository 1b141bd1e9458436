export { openRepository, GitRepository, GitReadError, ZERO_SHA } from "./git-repository";
export { WORKFLOW_FOLDERS, GITHUB_WORKFLOW_FOLDER, workflowFolders } from "./workflow-folders";
export { directoryTarball, readTree, tarballOf, tarballTopFolder, treeDigest, UnsafeTreeError, type TreeEntry } from "./directory-tarball";
export { ActionsDirectory, isFullSha, isSafeRef, type DirectoryAction } from "./actions-directory";
