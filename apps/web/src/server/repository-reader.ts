// Reading a repository's workflows from the web (manual runs): a plain-git repository through git (a local path is
// read in place, a remote one mirrored), a GitHub-connected one through the App's contents API. Both answer the
// same three questions, so the dispatch procedures do not care which it is.
import os from "node:os";
import path from "node:path";
import type { GitSource, Installation, Repository } from "@gantry/db";
import { githubWorkflowReader, type GithubClient } from "@gantry/github";
import { GitReadError, openRepository, repositoryWorkflowFiles } from "@gantry/sources";
import type { ReadRepositoryFile } from "@gantry/workflow-schema";

// Mirrors of remote repositories the web reads workflows from (local ones are read in place).
const GIT_CACHE_DIR = path.join(os.tmpdir(), "gantry-web-git-cache");

export interface RepositoryReader {
  /** A branch or tag name → its full ref and commit (GitHub: branches only); null when there is none. */
  resolve(name: string): Promise<{ ref: string; sha: string } | null>;
  /** The workflows that run at the commit (folder settings and the same-name rule applied). */
  workflowFiles(sha: string): Promise<string[]>;
  /** The file at the commit; null when it does not exist there. */
  readFile(sha: string, file: string): Promise<string | null>;
}

/** The repository's files at one commit, as the workflow compiler reads the reusable workflows a workflow calls. */
export const filesAt =
  (reader: RepositoryReader, sha: string): ReadRepositoryFile =>
  async (file) =>
    (await reader.readFile(sha, file)) ?? undefined;

export class RepositoryUnreadableError extends Error {
  override name = "RepositoryUnreadableError";
}

type ReadableRepository = Repository & { gitSource: GitSource | null; installation: Installation | null };

export async function repositoryReader(repository: ReadableRepository, github: (() => GithubClient | null) | undefined): Promise<RepositoryReader> {
  if (repository.gitSource) {
    const git = await openRepository(repository.gitSource.url, GIT_CACHE_DIR);
    return {
      resolve: (name) => git.resolveRef(name),
      workflowFiles: (sha) => repositoryWorkflowFiles(git, sha, repository),
      readFile: (sha, file) =>
        git.readFile(sha, file).catch((error: unknown) => {
          if (error instanceof GitReadError) return null;
          throw error;
        }),
    };
  }
  const installation = repository.installation;
  if (!installation) throw new RepositoryUnreadableError(`${repository.fullName} has neither a git source nor a GitHub installation.`);
  if (installation.deletedAt || installation.suspendedAt) throw new RepositoryUnreadableError(`The GitHub installation of ${repository.fullName} is ${installation.deletedAt ? "deleted" : "suspended"}.`);
  const client = github?.() ?? null;
  if (!client) throw new RepositoryUnreadableError(`No GitHub App is configured here, so ${repository.fullName} cannot be read.`);
  const reader = await githubWorkflowReader(client, repository.fullName, installation.githubInstallationId);
  return { resolve: (name) => reader.resolveBranch(name), workflowFiles: (sha) => repositoryWorkflowFiles(reader, sha, repository), readFile: (sha, file) => reader.readFile(sha, file) };
}
