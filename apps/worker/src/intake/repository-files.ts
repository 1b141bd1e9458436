// The files of one commit, for the workflow compiler to read the reusable workflows a workflow calls: through git
// for a plain git source, through GitHub's contents API for an installation. Undefined: no such file.
import { GithubApiError, type ContentsReader } from "@gantry/github";
import type { GitRepository } from "@gantry/sources";
import type { ReadRepositoryFile } from "@gantry/workflow-schema";

export const gitFilesAt = (git: GitRepository, sha: string): ReadRepositoryFile => (path) => git.readFileIfPresent(sha, path);

export function githubFilesAt(reader: Pick<ContentsReader, "readFile">, sha: string): ReadRepositoryFile {
  return async (path) => {
    try {
      return await reader.readFile(path, sha);
    } catch (error) {
      if (error instanceof GithubApiError && error.status === 404) return undefined;
      throw error;
    }
  };
}
