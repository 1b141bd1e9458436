import type { ReactNode } from "react";
import { SettingsNav } from "./settings-nav";

/** The settings area: its pages beside one navigation (the tenant layout has already checked membership). */
const SETTINGS_PAGES = [
  { href: "/repositories", label: "Repositories" },
  { href: "/pools", label: "Runner pools" },
  { href: "/environments", label: "Environments" },
  { href: "/approvals", label: "Approvals" },
  { href: "", label: "Settings" },
];

export default async function SettingsLayout({ children, params }: { children: ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  return (
    <div className="settings-area">
      <SettingsNav tenant={tenant} entries={SETTINGS_PAGES} />
      <div className="settings-content">{children}</div>
    </div>
  );
}
