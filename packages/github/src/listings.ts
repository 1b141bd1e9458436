// What the reconciler asks GitHub about a repository: its branches, whether a branch's head commit is recent,
// and its open pull requests (most recently updated first).
import { z } from "zod";
import { githubCall, githubList, repoPath, repositoryOctokit, type GithubOctokit, type RepositoryClientOptions } from "./octokit";
import { sha } from "./events/common";

const branch = z.object({ name: z.string(), commit: z.object({ sha }) });
const commits = z.array(z.object({ sha, commit: z.object({ committer: z.object({ date: z.string() }).nullable() }) }));
const side = z.object({ ref: z.string(), sha, repo: z.object({ id: z.number().int(), full_name: z.string() }).nullable() });
const pull = z.object({
  number: z.number().int(),
  updated_at: z.string(),
  draft: z.boolean().optional(),
  head: side,
  base: side,
  // The author and their relation to the repository, for the tenant's fork policy (fork-approval.ts).
  user: z.object({ login: z.string() }).nullable().optional(),
  author_association: z.string().optional(),
});

export type OpenPullRequest = z.infer<typeof pull>;

/** A token as is (`token`), or `auth` (e.g. `{ tokens, installationId }`: a 401 makes the cache forget it). */
export type RepositoryListerOptions = RepositoryClientOptions;

export class RepositoryLister {
  private readonly octokit: GithubOctokit;
  private readonly repo: string;

  constructor(options: RepositoryListerOptions) {
    this.octokit = repositoryOctokit(options);
    this.repo = repoPath(options.repository);
  }

  /** Branches and their head commits, every page. */
  branches(): Promise<{ name: string; commit: { sha: string } }[]> {
    return githubList(this.octokit, `${this.repo}/branches`, branch);
  }

  /** The head commit of a branch, or null when there is no such branch. */
  async branchHead(name: string): Promise<string | null> {
    return (await this.branches()).find((branch) => branch.name === name)?.commit.sha ?? null;
  }

  /** True when the branch's head commit was committed at or after `since`. */
  async headIsRecent(branch: string, headSha: string, since: Date): Promise<boolean> {
    const list = await githubCall(this.octokit, "GET", `${this.repo}/commits`, commits, { sha: branch, since: since.toISOString(), per_page: 1 });
    return list[0]?.sha === headSha;
  }

  /** Open pull requests updated at or after `since`, every page. */
  async openPullRequests(since: Date): Promise<OpenPullRequest[]> {
    const list = await githubList(this.octokit, `${this.repo}/pulls`, pull, { state: "open", sort: "updated", direction: "desc" });
    return list.filter((pull) => Date.parse(pull.updated_at) >= since.getTime());
  }
}
