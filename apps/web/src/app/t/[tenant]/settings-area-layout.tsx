import type { ReactNode } from "react";
import { hasRole } from "../../../server/roles";
import { roleInTenant } from "./settings-access";
import { SettingsNav } from "./settings-nav";
import { SETTINGS_PAGES } from "./settings-pages";

/**
 * The settings area: its pages beside one navigation that lists what the caller's role may open. The layout of
 * settings/, members/, secrets/, tokens/ and audit/ (each re-exports it); the tenant layout has already checked
 * membership, and each page gates its own role.
 */
export default async function SettingsAreaLayout({ children, params }: { children: ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const role = await roleInTenant(tenant);
  const entries = Object.values(SETTINGS_PAGES)
    .filter((page) => role !== undefined && hasRole(role, page.role))
    .map((page) => ({ href: `/t/${tenant}${page.path}`, label: page.label }));
  return (
    <div className="settings-area">
      <SettingsNav entries={entries} />
      <div className="settings-content">{children}</div>
    </div>
  );
}
