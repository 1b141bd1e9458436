// The workflow files of one repository at one commit, read from git or through GitHub's contents API: what
// schedule syncs and ticks read, whichever kind of source the repository has.
import type { ContentsReader } from "@gantry/github";
import { compileWorkflowWithCalls, type ReadRepositoryFile, type TenantContext as CompileContext, type WorkflowError, type WorkflowPlan } from "@gantry/workflow-schema";
import { repositoryWorkflowFiles, type GitRepository, type WorkflowFolderSettings } from "@gantry/sources";
import { gitFilesAt, githubFilesAt } from "../repository-files";


export interface WorkflowTree {
  sha: string;
  files(): Promise<string[]>;
  read(file: string): Promise<string>;
  /** Any file of the commit (the reusable workflows a workflow calls); undefined when there is none. */
  readAny: ReadRepositoryFile;
}

/** The tree's workflows are those the repository's folder settings read (packages/sources workflow-folders.ts). */
export function gitWorkflowTree(git: GitRepository, sha: string, repository: WorkflowFolderSettings): WorkflowTree {
  return { sha, files: () => repositoryWorkflowFiles(git, sha, repository), read: (file) => git.readFile(sha, file), readAny: gitFilesAt(git, sha) };
}

export function githubWorkflowTree(reader: ContentsReader, sha: string, repository: WorkflowFolderSettings): WorkflowTree {
  return { sha, files: () => repositoryWorkflowFiles(reader, sha, repository), read: (file) => reader.readFile(file, sha), readAny: githubFilesAt(reader, sha) };
}

export type CompiledFile = { file: string; plan?: WorkflowPlan | undefined };

/** Every workflow file of the tree, compiled (plan undefined for an invalid one). */
export async function compileTree(tree: WorkflowTree, compileContext: CompileContext): Promise<CompiledFile[]> {
  const compiled: CompiledFile[] = [];
  for (const file of await tree.files()) compiled.push({ file, plan: (await compileWorkflowWithCalls(await tree.read(file), file, compileContext, tree.readAny)).plan });
  return compiled;
}

/** One file compiled, with its diagnostics (a scheduled run keeps the warnings); undefined when the file is not in the tree. */
export async function compileAt(tree: WorkflowTree, file: string, compileContext: CompileContext): Promise<{ plan?: WorkflowPlan; errors: WorkflowError[] } | undefined> {
  if (!(await tree.files()).includes(file)) return undefined;
  return compileWorkflowWithCalls(await tree.read(file), file, compileContext, tree.readAny);
}

/** One file's plan; undefined when the file is not in the tree or does not compile. */
export async function planAt(tree: WorkflowTree, file: string, compileContext: CompileContext): Promise<WorkflowPlan | undefined> {
  return (await compileAt(tree, file, compileContext))?.plan;
}
