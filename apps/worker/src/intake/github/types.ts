import type { Fetch, InstallationTokens } from "@gantry/github";
import type { IntakeDeps } from "../process-git-push";

/** What GitHub intake needs beyond the plain-git deps: where the API is, and the (caching) token client. */
export interface GithubIntake {
  apiUrl: string;
  tokens: InstallationTokens;
  fetch?: Fetch;
}

export interface GithubIntakeDeps extends IntakeDeps {
  /** Omitted: read from the process env (./env.ts); null: no GitHub App configured. */
  github?: GithubIntake | null;
}
