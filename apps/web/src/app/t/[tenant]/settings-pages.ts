// The settings area's pages, in the order its navigation lists them, with the role each needs: one list for the
// navigation (an entry shows only to roles that may open it), the pages' gate (403 below the role) and the refusal.
import type { Role } from "@gantry/db";

export interface SettingsPage {
  /** The path under /t/<tenant>. */
  path: string;
  label: string;
  /** The weakest role that may open it; the procedures it calls check their own roles too. */
  role: Role;
}

export const SETTINGS_PAGES = {
  settings: { path: "/settings", label: "Settings", role: "MAINTAINER" },
  repositories: { path: "/settings/repositories", label: "Repositories", role: "MAINTAINER" },
  pools: { path: "/settings/pools", label: "Runner pools", role: "MAINTAINER" },
  environments: { path: "/settings/environments", label: "Environments", role: "MAINTAINER" },
  // Viewers read variables there; secret names show from developer up.
  secrets: { path: "/secrets", label: "Secrets & variables", role: "VIEWER" },
  // Reviewers may be members of any role: the inbox is theirs too.
  approvals: { path: "/settings/approvals", label: "Approvals", role: "VIEWER" },
  members: { path: "/members", label: "Members", role: "VIEWER" },
  // The user's own tokens, whatever their role.
  tokens: { path: "/tokens", label: "API tokens", role: "VIEWER" },
  audit: { path: "/audit", label: "Audit log", role: "ADMIN" },
} as const satisfies Record<string, SettingsPage>;

export type SettingsPageKey = keyof typeof SETTINGS_PAGES;

/** The settings page at `pathname` (/t/<tenant>/…), if it is one. */
export function settingsPageAt(pathname: string): SettingsPage | undefined {
  const path = pathname.replace(/^\/t\/[^/]+/, "").replace(/\/$/, "") || "/";
  return Object.values(SETTINGS_PAGES).find((page) => page.path === path);
}
