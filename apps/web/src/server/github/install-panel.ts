// What the dashboard's GitHub panel offers a tenant admin (components/github-app-panel.tsx): the install link
// with a fresh signed state when an App is configured; the manifest flow when it can create one.
import type { GithubAppSource } from "@gantry/github";
import type { GithubAppPanelState } from "../../components/github-app-panel";
import { githubInstallUrl, installState } from "./install-state";

export function githubAppPanelState(input: {
  source: Pick<GithubAppSource, "current" | "config">;
  userId: string;
  tenant: string;
  stateSecret: string;
  now: number;
}): GithubAppPanelState {
  let app;
  try {
    app = input.source.current();
  } catch (error) {
    // A sealed App file that does not open (another master key, tampered): say so instead of failing the page.
    return { kind: "unreadable", problem: error instanceof Error ? error.message : String(error) };
  }
  if (app) {
    const installUrl = githubInstallUrl(app, installState(input.stateSecret, input.userId, input.tenant, input.now));
    return installUrl ? { kind: "install", installUrl } : { kind: "no-slug", appId: app.appId };
  }
  return input.source.config.appFile && input.source.config.masterKey ? { kind: "create", manifestUrl: "/api/github/manifest" } : { kind: "not-configured" };
}
