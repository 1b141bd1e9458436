// The job's GITHUB_TOKEN permissions, as GitHub computes them from a workflow's `permissions:` (workflow level, the
// job's own replacing it whole), turned into the App permission names an installation token is asked for.
// https://docs.github.com/actions/security-for-github-actions/security-guides/automatic-token-authentication
import { z } from "zod";

export type PermissionLevel = "read" | "write";
/** App permission name (`pull_requests`, `contents`, …) → level; what POST …/access_tokens takes. */
export type TokenPermissions = Record<string, PermissionLevel>;

/**
 * What a job gets when neither the workflow nor the job says `permissions:` — GitHub's "restricted" default for
 * new repositories and organisations. One constant for now; #16 makes it a tenant setting ("permissive" there
 * would be write-all).
 */
export const DEFAULT_JOB_TOKEN_PERMISSIONS: Readonly<TokenPermissions> = Object.freeze({ contents: "read", metadata: "read", packages: "read" });

/**
 * Workflow scopes (`permissions:` keys) and the App permission each maps to. `id-token` is not an installation
 * permission (it allows requesting an OIDC token) and `models` is not one an App can hold: neither is asked for.
 */
export const WORKFLOW_SCOPE_TO_APP_PERMISSION: Readonly<Record<string, string>> = Object.freeze({
  actions: "actions",
  attestations: "attestations",
  checks: "checks",
  contents: "contents",
  deployments: "deployments",
  discussions: "discussions",
  issues: "issues",
  packages: "packages",
  pages: "pages",
  "pull-requests": "pull_requests",
  "repository-projects": "repository_projects",
  "security-events": "security_events",
  statuses: "statuses",
});

const level = z.enum(["read", "write", "none"]);
/** `permissions:` as the compiled plan carries it: read-all, write-all, or scope → read|write|none. */
export const workflowPermissions = z.union([z.enum(["read-all", "write-all"]), z.record(z.string(), z.string())]);
export type WorkflowPermissions = z.infer<typeof workflowPermissions>;

export interface JobTokenRequest {
  /** The workflow's top-level `permissions:`; undefined when absent. */
  workflow?: WorkflowPermissions | undefined;
  /** The job's own `permissions:`; replaces the workflow's entirely when present. */
  job?: WorkflowPermissions | undefined;
  /** False for a pull request from a fork: every write becomes read, whatever the workflow asks. */
  trusted: boolean;
  /** What applies when neither level says anything (DEFAULT_JOB_TOKEN_PERMISSIONS). */
  defaults?: Readonly<TokenPermissions>;
}

function fromAll(value: PermissionLevel): TokenPermissions {
  const out: TokenPermissions = { metadata: "read" };
  for (const permission of Object.values(WORKFLOW_SCOPE_TO_APP_PERMISSION)) out[permission] = value;
  return out;
}

/**
 * The defaults a tenant's "default workflow permissions" setting chooses (GitHub's "Workflow permissions"): READ is
 * DEFAULT_JOB_TOKEN_PERMISSIONS, WRITE is "Read and write permissions", write to every scope.
 */
export function tenantDefaultTokenPermissions(setting: "READ" | "WRITE"): Readonly<TokenPermissions> {
  return setting === "WRITE" ? fromAll("write") : DEFAULT_JOB_TOKEN_PERMISSIONS;
}

/** The App permissions for a job's GITHUB_TOKEN. `metadata: read` is always included, as GitHub does. */
export function jobTokenPermissions(request: JobTokenRequest): TokenPermissions {
  const declared = request.job ?? request.workflow;
  let permissions: TokenPermissions;
  if (declared === undefined) permissions = { ...(request.defaults ?? DEFAULT_JOB_TOKEN_PERMISSIONS) };
  else if (declared === "read-all") permissions = fromAll("read");
  else if (declared === "write-all") permissions = fromAll("write");
  else {
    permissions = { metadata: "read" };
    for (const [scope, raw] of Object.entries(declared)) {
      const parsed = level.safeParse(raw);
      const permission = WORKFLOW_SCOPE_TO_APP_PERMISSION[scope];
      if (!parsed.success || parsed.data === "none" || !permission) continue;
      permissions[permission] = parsed.data;
    }
  }
  permissions.metadata = "read";
  if (!request.trusted) for (const key of Object.keys(permissions)) permissions[key] = "read";
  return permissions;
}

/**
 * The permissions limited to what the installation was granted (GitHub refuses a token that asks for more with
 * 422): a permission the installation lacks is dropped, a write it holds only as read becomes read.
 */
export function withinInstallation(wanted: TokenPermissions, granted: Record<string, string>): TokenPermissions {
  const out: TokenPermissions = {};
  for (const [name, want] of Object.entries(wanted)) {
    const has = granted[name];
    if (has === "write" || has === "admin") out[name] = want;
    else if (has === "read") out[name] = "read";
  }
  return out;
}
