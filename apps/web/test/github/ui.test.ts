// The GitHub parts of the dashboard, rendered to HTML: the pull_request_target warning and the untrusted badge on
// the run page, and the admin's GitHub panel (install link with a signed state, or the manifest flow).
import { generateKeyPairSync } from "node:crypto";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AppFileError, parseGithubAppCredentials, type GithubAppCredentials, type GithubConfig } from "@gantry/github";
import { GithubAppPanel } from "../../src/components/github-app-panel";
import { PULL_REQUEST_TARGET_WARNING, PullRequestTargetBanner, UntrustedBadge } from "../../src/components/run-trust";
import { githubAppPanelState } from "../../src/server/github/install-panel";
import { readInstallState } from "../../src/server/github/install-state";

const html = (element: Parameters<typeof renderToStaticMarkup>[0]) => renderToStaticMarkup(element);
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const app = (slug?: string) =>
  parseGithubAppCredentials({ GANTRY_GITHUB_APP_ID: "4242", GANTRY_GITHUB_APP_PRIVATE_KEY: pem, GANTRY_GITHUB_WEBHOOK_SECRET: "w".repeat(20), GANTRY_GITHUB_APP_SLUG: slug, GANTRY_GITHUB_WEB_URL: "https://ghe.example.com" });
const secret = "a-next-auth-secret-for-tests";

describe("run page trust", () => {
  it("a pull_request_target run carries a warning banner that explains the risk; other events none", () => {
    const banner = html(createElement(PullRequestTargetBanner, { event: "pull_request_target" }));
    expect(banner).toContain('role="alert"');
    expect(banner).toContain('data-testid="pull-request-target-warning"');
    expect(banner).toContain(PULL_REQUEST_TARGET_WARNING.replace(/'/g, "&#x27;"));
    expect(PULL_REQUEST_TARGET_WARNING).toMatch(/base branch's workflow and the repository's secrets/);
    for (const event of ["pull_request", "push", "workflow_dispatch"]) expect(html(createElement(PullRequestTargetBanner, { event }))).toBe("");
  });

  it("an untrusted run says so: from a fork, no secrets; a trusted one shows nothing", () => {
    expect(html(createElement(UntrustedBadge, { trusted: false }))).toMatch(/data-testid="untrusted-badge"[^>]*>from a fork: untrusted, no secrets</);
    expect(html(createElement(UntrustedBadge, { trusted: true }))).toBe("");
  });
});

describe("the admin's GitHub panel", () => {
  const noFile: GithubConfig = { variables: null, appFile: null, masterKey: null, apiUrl: "https://api.github.com", webUrl: "https://github.com" };
  const source = (current: GithubAppCredentials | null | Error, config: GithubConfig = noFile) => ({
    config,
    current: () => {
      if (current instanceof Error) throw current;
      return current;
    },
  });
  const base = { userId: "usr_admin", tenant: "acme", stateSecret: secret, now: Date.now() };

  it("a configured App: Install on GitHub, to the App's install page with a state bound to this user and tenant", () => {
    const state = githubAppPanelState({ ...base, source: source(app("gantry-ci")) });
    if (state.kind !== "install") throw new Error(`expected install, got ${state.kind}`);
    const url = new URL(state.installUrl);
    expect(`${url.origin}${url.pathname}`).toBe("https://ghe.example.com/apps/gantry-ci/installations/new");
    expect(readInstallState(secret, "usr_admin", url.searchParams.get("state") ?? "", Date.now())).toEqual({ tenant: "acme" });
    expect(readInstallState(secret, "usr_other", url.searchParams.get("state") ?? "", Date.now())).toBeNull();
    const rendered = html(createElement(GithubAppPanel, { state }));
    expect(rendered).toContain(`href="${state.installUrl.replace(/&/g, "&amp;")}"`);
    expect(rendered).toContain("Install on GitHub");
  });

  it("without the App's slug it says which variable to set; without an App it offers the manifest flow when it can", () => {
    expect(githubAppPanelState({ ...base, source: source(app()) })).toEqual({ kind: "no-slug", appId: "4242" });
    expect(html(createElement(GithubAppPanel, { state: { kind: "no-slug", appId: "4242" } }))).toContain("GANTRY_GITHUB_APP_SLUG");
    const create = githubAppPanelState({ ...base, source: source(null, { ...noFile, appFile: "/var/lib/gantry/github-app.json", masterKey: Buffer.alloc(32) }) });
    expect(create).toEqual({ kind: "create", manifestUrl: "/api/github/manifest" });
    expect(html(createElement(GithubAppPanel, { state: create }))).toMatch(/href="\/api\/github\/manifest"[^>]*>Create the GitHub App</);
    expect(githubAppPanelState({ ...base, source: source(null) })).toEqual({ kind: "not-configured" });
    expect(html(createElement(GithubAppPanel, { state: { kind: "not-configured" } }))).toContain("Plain git pushes work without it.");
  });

  it("an App file that does not open is said on the panel, not thrown at the page", () => {
    const state = githubAppPanelState({ ...base, source: source(new AppFileError("the GitHub App file does not open with GANTRY_MASTER_KEY (another key, or tampered)")) });
    expect(state).toEqual({ kind: "unreadable", problem: expect.stringMatching(/does not open with GANTRY_MASTER_KEY/) });
    expect(html(createElement(GithubAppPanel, { state }))).toContain("cannot be read: the GitHub App file does not open");
  });
});
