// Reading one repository's workflows through the App, for runs started by hand: a branch's head commit and a file
// at a commit. Branches only (GitHub's `workflow_dispatch` takes a branch or tag; tags are not listed here yet).
import { commitOfRef } from "./commits";
import { ContentsReader } from "./contents";
import { GithubApiError, type Fetch } from "./http";
import type { InstallationTokens } from "./installation-tokens";
import { RepositoryLister } from "./listings";

/** What reaching GitHub as the App needs: where the API is and the (caching) installation-token client. */
export interface GithubClient {
  apiUrl: string;
  tokens: InstallationTokens;
  fetch?: Fetch;
}

export interface GithubWorkflowReader {
  /** `refs/heads/<branch>` and its head commit, or null when the repository has no such branch. */
  resolveBranch(branch: string): Promise<{ ref: string; sha: string } | null>;
  /** The commit a branch, tag, full ref or sha names, or null when it names none. */
  resolveCommit(ref: string): Promise<string | null>;
  /** The file at the commit, or null when it does not exist there. */
  readFile(sha: string, path: string): Promise<string | null>;
  /** Workflow files directly inside the folders at the commit, sorted. */
  workflowFiles(sha: string, folders: string[]): Promise<string[]>;
}

export async function githubWorkflowReader(client: GithubClient, repository: string, installationId: bigint | number | string): Promise<GithubWorkflowReader> {
  // Through the token cache on every call: a token GitHub refuses (401) is forgotten, the next call mints anew.
  const options = { apiUrl: client.apiUrl, repository, auth: { tokens: client.tokens, installationId }, ...(client.fetch ? { fetch: client.fetch } : {}) };
  const lister = new RepositoryLister(options);
  const contents = new ContentsReader(options);
  return {
    async resolveBranch(branch) {
      const sha = await lister.branchHead(branch);
      return sha ? { ref: `refs/heads/${branch}`, sha } : null;
    },
    resolveCommit: (ref) => commitOfRef(options, ref),
    workflowFiles: (sha, folders) => contents.workflowFiles(sha, folders),
    async readFile(sha, path) {
      try {
        return await contents.readFile(path, sha);
      } catch (error) {
        if (error instanceof GithubApiError && error.status === 404) return null;
        throw error;
      }
    },
  };
}
