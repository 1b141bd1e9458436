// @gantry/github: the GitHub App — credentials, webhook signatures and payloads, installation tokens, the
// contents API, and keeping Installation/Repository rows in step with installation events.
export * from "./credentials";
export * from "./env";
export * from "./signature";
export * from "./jwt";
export { GithubApiError, GITHUB_API_VERSION, type Fetch } from "./http";
export { githubOctokit, githubCall, githubList, toGithubApiError, REQUEST_TIMEOUT_MS, type GithubAuth, type GithubOctokit, type GithubOctokitOptions, type RetryOptions, repositoryOctokit, type RepositoryAccess, type RepositoryClientOptions } from "./octokit";
export * from "./installation-tokens";
export * from "./token-permissions";
export * from "./contents";
export * from "./events/index";
export * from "./installations/sync";
export * from "./installations/adopt";
export * from "./installations/list-repositories";
export * from "./check-runs";
export * from "./listings";
export * from "./user-installations";
export * from "./organisation-members";
export * from "./manifest";
export * from "./app-file";
export * from "./workflow-reader";
export * from "./commits";
export * from "./pull-request-commit";
export * from "./fork-approval";
