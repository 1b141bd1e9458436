// Reads a repository's files at an exact commit through the contents API, with an installation token:
// the workflow folders' listings and each workflow file.
import { z } from "zod";
import { GithubApiError } from "./http";
import { githubCall, repoPath, repositoryOctokit, type GithubOctokit, type RepositoryClientOptions } from "./octokit";

const entry = z.object({ type: z.enum(["dir", "file", "submodule", "symlink"]), name: z.string(), path: z.string(), sha: z.string(), size: z.number() });
const directory = z.array(entry);
const file = z.object({ type: z.literal("file"), path: z.string(), encoding: z.string(), content: z.string(), size: z.number() });

export type ContentEntry = z.infer<typeof entry>;

/** A token as is (`token`), or `auth` (e.g. `{ tokens, installationId }`: a 401 makes the cache forget it). */
export type ContentsReaderOptions = RepositoryClientOptions;

const encodePath = (path: string) => path.split("/").map(encodeURIComponent).join("/");

export class ContentsReader {
  private readonly octokit: GithubOctokit;

  constructor(private readonly options: ContentsReaderOptions) {
    this.octokit = repositoryOctokit(options);
  }

  private path(path: string): string {
    return `${repoPath(this.options.repository)}/contents/${encodePath(path)}`;
  }

  private get<T>(path: string, ref: string, schema: z.ZodType<T>): Promise<T> {
    return githubCall(this.octokit, "GET", this.path(path), schema, { ref });
  }

  /** The entries of a folder at the ref; [] when the folder does not exist there. */
  async list(folder: string, ref: string): Promise<ContentEntry[]> {
    try {
      return await this.get(folder, ref, directory);
    } catch (error) {
      if (error instanceof GithubApiError && error.status === 404) return [];
      throw error;
    }
  }

  /** Workflow files (`*.yml`, `*.yaml`) directly inside the folders at the ref, sorted. */
  async workflowFiles(ref: string, folders: string[]): Promise<string[]> {
    const listings = await Promise.all(folders.map((folder) => this.list(folder, ref)));
    return listings
      .flat()
      .filter((item) => item.type === "file" && /\.ya?ml$/.test(item.name))
      .map((item) => item.path)
      .sort();
  }

  async readFile(path: string, ref: string): Promise<string> {
    const body = await this.get(path, ref, file);
    if (body.encoding !== "base64") throw new GithubApiError("GET", `${this.path(path)}?ref=${encodeURIComponent(ref)}`, 200, `${path} came back with encoding ${body.encoding} (too large for the contents API?)`);
    return Buffer.from(body.content, "base64").toString("utf8");
  }
}
