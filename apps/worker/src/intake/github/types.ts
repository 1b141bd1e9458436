import type { Fetch, InstallationTokens } from "@gantry/github";
import type { IntakeDeps } from "../process-git-push";

/** What GitHub intake needs beyond the plain-git deps: where the API is, and the (caching) token client. */
export interface GithubIntake {
  apiUrl: string;
  /** The App's id: check events of its own checks start no `on: check_*` workflows (unset: every check is ours). */
  appId?: string;
  tokens: InstallationTokens;
  fetch?: Fetch;
  /** Report check runs for new runs' jobs (default true; needs the App's Checks: write permission). */
  checks?: boolean;
  /** Where browsers reach Gantry (GANTRY_PUBLIC_URL's origin): intake's check runs link to their run page. */
  publicUrl?: string;
  /** Where best-effort failures (check runs) are told. */
  log?: (line: string) => void;
}

export interface GithubIntakeDeps extends IntakeDeps {
  /** The App's client (./github-client.ts); omitted or null: no GitHub App configured. */
  github?: GithubIntake | null;
}
