// What the dashboard's GitHub panel offers a tenant admin (components/github-app-panel.tsx): the install link
// with a fresh signed state when an App is configured; the manifest flow when it can create one.
import type { GithubAppCredentials, GithubConfig } from "@gantry/github";
import type { GithubAppPanelState } from "../../components/github-app-panel";
import { githubInstallUrl, installState } from "./install-state";

export function githubAppPanelState(input: {
  app: GithubAppCredentials | null;
  config: Pick<GithubConfig, "appFile" | "masterKey">;
  userId: string;
  tenant: string;
  stateSecret: string;
  now: number;
}): GithubAppPanelState {
  if (input.app) {
    const installUrl = githubInstallUrl(input.app, installState(input.stateSecret, input.userId, input.tenant, input.now));
    return installUrl ? { kind: "install", installUrl } : { kind: "no-slug", appId: input.app.appId };
  }
  return input.config.appFile && input.config.masterKey ? { kind: "create", manifestUrl: "/api/github/manifest" } : { kind: "not-configured" };
}
