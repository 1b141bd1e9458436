import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { SignOutButton } from "../../../components/sign-out-button";
import { getSessionUser } from "../../../server/auth";
import { serverCaller } from "../../../server/caller";
import { roleLabel } from "../../../server/roles";
import { TRPCReactProvider } from "../../../trpc/react";

export const dynamic = "force-dynamic";

export default async function TenantLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ tenant: string }>;
}) {
  const { tenant: slug } = await params;
  const session = await getSessionUser();
  if (!session) redirect(`/signin?callbackUrl=${encodeURIComponent(`/t/${slug}`)}`);
  const tenants = await serverCaller(session).tenants.list();
  const current = tenants.find((tenant) => tenant.slug === slug);
  return (
    <>
      <header className="topbar">
        <div className="topbar-left">
          <Link className="brand" href="/">
            <span className="brand-mark" aria-hidden="true" />
            Gantry
          </Link>
          {current ? (
            <span className="tenant-name" data-testid="tenant-name">
              {current.name}
            </span>
          ) : null}
          <nav className="nav">
            {current ? (
              <>
                <Link href={`/t/${slug}`}>Overview</Link>
                <Link href={`/t/${slug}/runs`}>Runs</Link>
                <Link href={`/t/${slug}#runners`}>Runners</Link>
                <Link href={`/t/${slug}/secrets`}>Secrets</Link>
                <Link href={`/t/${slug}/members`}>Members</Link>
                {current.role === "ADMIN" ? <Link href={`/t/${slug}/audit`}>Audit</Link> : null}
                <Link href={`/t/${slug}/settings/approvals`}>Approvals</Link>
                <Link href={`/t/${slug}/settings`}>Settings</Link>
                <Link href={`/t/${slug}/tokens`}>API tokens</Link>
              </>
            ) : null}
            <Link href="/health">Health</Link>
          </nav>
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
            {session.email}
            {current ? ` · ${roleLabel(current.role)}` : ""}
          </span>
          <SignOutButton />
        </div>
      </header>
      <main className="page">
        {current ? (
          <TRPCReactProvider>{children}</TRPCReactProvider>
        ) : (
          <div className="card narrow">
            <h1>No access</h1>
            <p className="muted">You are not a member of tenant “{slug}”.</p>
          </div>
        )}
      </main>
    </>
  );
}
