// What the reconciler asks GitHub about a repository: its branches, whether a branch's head commit is recent,
// and its open pull requests (most recently updated first).
import { z } from "zod";
import { githubPaginate, githubRequest, type Fetch } from "./http";
import { sha } from "./events/common";

const branches = z.array(z.object({ name: z.string(), commit: z.object({ sha }) }));
const commits = z.array(z.object({ sha, commit: z.object({ committer: z.object({ date: z.string() }).nullable() }) }));
const side = z.object({ ref: z.string(), sha, repo: z.object({ id: z.number().int(), full_name: z.string() }).nullable() });
const pulls = z.array(z.object({ number: z.number().int(), updated_at: z.string(), draft: z.boolean().optional(), head: side, base: side }));

export type OpenPullRequest = z.infer<typeof pulls>[number];

export interface RepositoryListerOptions {
  apiUrl: string;
  /** `owner/name` */
  repository: string;
  token: string;
  fetch?: Fetch;
}

export class RepositoryLister {
  constructor(private readonly options: RepositoryListerOptions) {}

  private get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const [owner, name] = this.options.repository.split("/");
    const repo = `/repos/${encodeURIComponent(owner ?? "")}/${encodeURIComponent(name ?? "")}`;
    return githubRequest(this.options.apiUrl, { method: "GET", path: `${repo}${path}`, authorization: `token ${this.options.token}`, schema }, this.options.fetch);
  }

  private all<T>(path: string, schema: z.ZodType<T[]>): Promise<T[]> {
    const [owner, name] = this.options.repository.split("/");
    const repo = `/repos/${encodeURIComponent(owner ?? "")}/${encodeURIComponent(name ?? "")}`;
    return githubPaginate(this.options.apiUrl, { path: `${repo}${path}`, authorization: `token ${this.options.token}`, schema }, this.options.fetch);
  }

  /** Branches and their head commits, every page. */
  branches(): Promise<{ name: string; commit: { sha: string } }[]> {
    return this.all("/branches?per_page=100", branches);
  }

  /** The head commit of a branch, or null when there is no such branch. */
  async branchHead(name: string): Promise<string | null> {
    return (await this.branches()).find((branch) => branch.name === name)?.commit.sha ?? null;
  }

  /** True when the branch's head commit was committed at or after `since`. */
  async headIsRecent(branch: string, headSha: string, since: Date): Promise<boolean> {
    const list = await this.get(`/commits?sha=${encodeURIComponent(branch)}&since=${encodeURIComponent(since.toISOString())}&per_page=1`, commits);
    return list[0]?.sha === headSha;
  }

  /** Open pull requests updated at or after `since`, every page. */
  async openPullRequests(since: Date): Promise<OpenPullRequest[]> {
    const list = await this.all("/pulls?state=open&sort=updated&direction=desc&per_page=100", pulls);
    return list.filter((pull) => Date.parse(pull.updated_at) >= since.getTime());
  }
}
