// The tenant dashboard's GitHub App panel, for admins: install the App when it is configured; otherwise create
// it by manifest (when the manifest flow is set up) or say which variables to set. Plain git works either way.
import Link from "next/link";

export type GithubAppPanelState =
  | { kind: "install"; installUrl: string }
  | { kind: "no-slug"; appId: string }
  | { kind: "create"; manifestUrl: string }
  | { kind: "not-configured" }
  | { kind: "unreadable"; problem: string };

export function GithubAppPanel({ state }: { state: GithubAppPanelState }) {
  return (
    <section className="card" id="github" data-testid="github-app">
      <div className="card-head">
        <h2>GitHub</h2>
      </div>
      {state.kind === "install" ? (
        <p>
          <a className="button" href={state.installUrl} data-testid="github-install">
            Install on GitHub
          </a>{" "}
          <span className="muted small">Choose the repositories; their pushes and pull requests then start runs here, with check runs on each commit.</span>
        </p>
      ) : state.kind === "no-slug" ? (
        <p className="muted small">
          GitHub App {state.appId} is configured, but its URL name is not known: set <code>GANTRY_GITHUB_APP_SLUG</code> (github.com/apps/&lt;slug&gt;) to
          install it from here.
        </p>
      ) : state.kind === "unreadable" ? (
        <p className="muted small" role="alert">
          The GitHub App&apos;s configuration cannot be read: {state.problem}
        </p>
      ) : state.kind === "create" ? (
        <p>
          <Link className="button" href={state.manifestUrl} prefetch={false} data-testid="github-create-app">
            Create the GitHub App
          </Link>{" "}
          <span className="muted small">No GitHub App is configured yet: GitHub creates one from Gantry&apos;s manifest, and its keys are sealed on this server.</span>
        </p>
      ) : (
        <p className="muted small">
          No GitHub App is configured: set <code>GANTRY_GITHUB_APP_FILE</code> and <code>GANTRY_MASTER_KEY</code> to create one from here, or the{" "}
          <code>GANTRY_GITHUB_APP_*</code> variables (docs/github.md). Plain git pushes work without it.
        </p>
      )}
    </section>
  );
}
