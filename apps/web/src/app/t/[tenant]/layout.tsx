import Link from "next/link";
import type { ReactNode } from "react";
import type { Role } from "@gantry/db";
import { NavLinks, type NavEntry } from "../../../components/nav-links";
import { SignOutButton } from "../../../components/sign-out-button";
import { tenantAccess } from "../../../server/navigation/tenant-access";
import { hasRole, roleLabel } from "../../../server/roles";
import { TRPCReactProvider } from "../../../trpc/react";
import { SETTINGS_PAGES } from "./settings-pages";

export const dynamic = "force-dynamic";

/** The tenant's pages in the top navigation. Runs is the run list; Runners is the settings page of runner pools. */
function tenantNav(slug: string, role: Role): NavEntry[] {
  const base = `/t/${slug}`;
  return [
    { href: base, label: "Overview", exact: true },
    { href: `${base}/runs`, label: "Runs" },
    { href: `${base}/search`, label: "Search logs" },
    { href: `${base}/settings/pools`, label: "Runners" },
    { href: `${base}/secrets`, label: "Secrets" },
    { href: `${base}/members`, label: "Members" },
    ...(hasRole(role, SETTINGS_PAGES.audit.role) ? [{ href: `${base}/audit`, label: "Audit" }] : []),
    { href: `${base}/settings/approvals`, label: "Approvals" },
    ...(hasRole(role, SETTINGS_PAGES.settings.role) ? [{ href: `${base}/settings`, label: "Settings" }] : []),
    { href: `${base}/tokens`, label: "API tokens" },
    { href: "/health", label: "Health", exact: true },
  ];
}

export default async function TenantLayout({ children, params }: { children: ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  // Signed out: to sign-in and back here. Not a member (or no such tenant): the 404 page, status 404.
  const { session, tenants, current } = await tenantAccess(slug);
  return (
    <>
      <header className="topbar">
        <div className="topbar-left">
          <Link className="brand" href="/">
            <span className="brand-mark" aria-hidden="true" />
            Gantry
          </Link>
          <span className="tenant-name" data-testid="tenant-name">
            {current.name}
          </span>
          <NavLinks label="Main" entries={tenantNav(slug, current.role)} />
        </div>
        <div className="topbar-right">
          {tenants.length > 1 ? (
            <nav className="nav tenants" aria-label="Tenants">
              {tenants
                .filter((tenant) => tenant.slug !== slug)
                .map((tenant) => (
                  <Link key={tenant.id} href={`/t/${tenant.slug}`}>
                    {tenant.name}
                  </Link>
                ))}
            </nav>
          ) : null}
          <span className="muted small" data-testid="user-email">
            {session.email} · {roleLabel(current.role)}
          </span>
          <SignOutButton />
        </div>
      </header>
      <main id="main" tabIndex={-1} className="page">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </main>
    </>
  );
}
