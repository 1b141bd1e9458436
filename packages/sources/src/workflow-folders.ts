// Where a repository's workflows live, and which of them run. Two folders, each turned on or off per repository
// (Repository.readGantryWorkflows / readGithubWorkflows): `.gantry/workflows`, on by default, and
// `.github/workflows`, on by default for GitHub-connected repositories and off for plain git ones (a mirror of a
// GitHub repository would otherwise run the workflows GitHub already runs). When both folders hold a file of the
// same name, the `.gantry/workflows` one runs and the other is not read: a repository can keep a GitHub-only
// workflow beside a Gantry version of it.
export const GANTRY_WORKFLOW_FOLDER = ".gantry/workflows";
export const GITHUB_WORKFLOW_FOLDER = ".github/workflows";
/** Every folder workflows may live in, the winning one first. */
export const WORKFLOW_FOLDERS = [GANTRY_WORKFLOW_FOLDER, GITHUB_WORKFLOW_FOLDER] as const;

/** A repository's folder settings (the Repository row has both). */
export interface WorkflowFolderSettings {
  readGantryWorkflows: boolean;
  readGithubWorkflows: boolean;
}

/** The folders read for the repository, in precedence order (an earlier folder's file hides a later one's). */
export function workflowFolders(repository: WorkflowFolderSettings): string[] {
  return [...(repository.readGantryWorkflows ? [GANTRY_WORKFLOW_FOLDER] : []), ...(repository.readGithubWorkflows ? [GITHUB_WORKFLOW_FOLDER] : [])];
}

const folderOf = (file: string) => file.slice(0, Math.max(0, file.lastIndexOf("/")));
const nameOf = (file: string) => file.slice(file.lastIndexOf("/") + 1);

/**
 * The workflow files that run, from a listing of the folders: files outside the folders are dropped, and of two
 * files with the same name the one in the earlier folder is kept. Sorted.
 */
export function selectWorkflowFiles(listed: readonly string[], folders: readonly string[]): string[] {
  const winner = new Map<string, { file: string; rank: number }>();
  for (const file of listed) {
    const rank = folders.indexOf(folderOf(file));
    if (rank < 0) continue;
    const taken = winner.get(nameOf(file));
    if (!taken || rank < taken.rank) winner.set(nameOf(file), { file, rank });
  }
  return [...winner.values()].map((entry) => entry.file).sort();
}

/** What lists workflow files at a commit: a git repository or GitHub's contents API. */
export interface WorkflowFileLister {
  workflowFiles(sha: string, folders: string[]): Promise<string[]>;
}

/** The repository's workflow files at the commit that run, under its folder settings and the same-name rule. */
export async function repositoryWorkflowFiles(lister: WorkflowFileLister, sha: string, repository: WorkflowFolderSettings): Promise<string[]> {
  const folders = workflowFolders(repository);
  if (folders.length === 0) return [];
  return selectWorkflowFiles(await lister.workflowFiles(sha, folders), folders);
}

/**
 * Why the folder settings keep a file from running, given the listing of the workflows that run at the commit
 * (repositoryWorkflowFiles); null when they do not (the file may still not exist: its reader says so).
 */
export function workflowFileRefusal(file: string, files: readonly string[], repository: WorkflowFolderSettings): string | null {
  const folder = folderOf(file);
  if (!(WORKFLOW_FOLDERS as readonly string[]).includes(folder)) return `${file} is not in ${WORKFLOW_FOLDERS.join(" or ")}`;
  if (!workflowFolders(repository).includes(folder)) return `the repository does not read ${folder} (a repository setting)`;
  if (!files.includes(file)) {
    const winner = files.find((candidate) => nameOf(candidate) === nameOf(file));
    if (winner) return `${winner} has the same name and wins over it`;
  }
  return null;
}
