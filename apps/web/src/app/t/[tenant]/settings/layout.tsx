import type { Metadata } from "next";
import type { ReactNode } from "react";
import { SettingsNav } from "./settings-nav";

// Each settings page's title says it is one: "Runner pools · Settings · Gantry".
export const metadata: Metadata = { title: { template: "%s · Settings · Gantry", default: "Settings · Gantry" } };

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
