// Creating the GitHub App from a manifest (GitHub's app-manifest flow): the exact permissions and events Gantry
// needs, the form GitHub expects, and the one call that turns the returned code into the App's credentials.
import { z } from "zod";
import type { Fetch } from "./http";
import { githubCall, githubOctokit } from "./octokit";

/**
 * Repository permissions the App asks for. The read permissions past contents are those GitHub requires before an
 * App may subscribe to the events workflows name (docs/github.md, "Events"): issues, deployments, discussions,
 * pages, packages, merge queues. branch_protection_rule needs Administration: read, not asked for by default.
 */
export const APP_PERMISSIONS = {
  contents: "read",
  metadata: "read",
  checks: "write",
  pull_requests: "read",
  statuses: "write",
  issues: "read",
  deployments: "read",
  discussions: "read",
  pages: "read",
  packages: "read",
  merge_queues: "read",
  // Organisation permission: whether a GitHub user is a member, for a tenant's organisation join (docs/github.md).
  members: "read",
} as const;
/**
 * Webhook events it subscribes to (installation events are always sent; repository_dispatch reaches every App with
 * Contents access): each starts the workflows `on:` it (docs/triggers.md).
 */
export const APP_EVENTS = [
  "push",
  "pull_request",
  "check_run",
  "check_suite",
  "create",
  "delete",
  "deployment",
  "deployment_status",
  "discussion",
  "discussion_comment",
  "fork",
  "gollum",
  "issue_comment",
  "issues",
  "label",
  "merge_group",
  "milestone",
  "page_build",
  "public",
  "pull_request_review",
  "pull_request_review_comment",
  "registry_package",
  "release",
  "status",
  "watch",
] as const;

export interface ManifestOptions {
  name: string;
  /** The Gantry origin users reach (homepage). */
  appUrl: string;
  /** The origin GitHub's webhooks and redirects reach (often the same). */
  publicUrl: string;
  /** Only installable on the owning account (default), or by anyone. */
  public?: boolean;
}

export function buildAppManifest(options: ManifestOptions) {
  return {
    name: options.name,
    url: options.appUrl,
    hook_attributes: { url: `${options.publicUrl}/api/github/webhooks`, active: true },
    redirect_url: `${options.publicUrl}/api/github/manifest/callback`,
    setup_url: `${options.publicUrl}/api/github/setup`,
    // The setup callback, and next-auth's GitHub sign-in callback (on the URL browsers use, NEXTAUTH_URL).
    callback_urls: [`${options.publicUrl}/api/github/setup`, `${options.appUrl}/api/auth/callback/github`],
    request_oauth_on_install: true,
    setup_on_update: false,
    public: options.public ?? false,
    default_permissions: APP_PERMISSIONS,
    default_events: [...APP_EVENTS],
  };
}

/** Where the manifest form posts: the user's account, or an organisation. */
export function manifestFormAction(webUrl: string, state: string, organization?: string): string {
  const base = organization ? `${webUrl}/organizations/${encodeURIComponent(organization)}/settings/apps/new` : `${webUrl}/settings/apps/new`;
  return `${base}?state=${encodeURIComponent(state)}`;
}

const conversion = z.object({
  id: z.number().int().positive(),
  slug: z.string().optional(),
  name: z.string(),
  html_url: z.string(),
  client_id: z.string().optional(),
  client_secret: z.string(),
  webhook_secret: z.string().nullable(),
  pem: z.string().includes("PRIVATE KEY"),
});

export type ManifestConversion = z.infer<typeof conversion>;

/** POST /app-manifests/{code}/conversions: the new App's id, key and secrets (the code is single-use, 1 hour). */
export function convertManifestCode(apiUrl: string, code: string, fetcher?: Fetch): Promise<ManifestConversion> {
  // This call needs no authentication: the code is the credential.
  const octokit = githubOctokit({ apiUrl, auth: null, ...(fetcher ? { fetch: fetcher } : {}) });
  return githubCall(octokit, "POST", `/app-manifests/${encodeURIComponent(code)}/conversions`, conversion);
}
