"use client";
// What a member sees (with HTTP 403) on a tenant page their role may not open: which role the page needs, and
// where they can go instead. Rendered by forbidden() (settings-access.ts) inside the tenant's layout.
import Link from "next/link";
import { useParams, usePathname } from "next/navigation";
import { roleLabel } from "../../../server/roles";
import { settingsPageAt } from "./settings-pages";

export default function TenantForbidden() {
  const page = settingsPageAt(usePathname());
  const { tenant } = useParams<{ tenant: string }>();
  return (
    <section className="card narrow" data-testid="forbidden">
      <h1>Not allowed</h1>
      <p role="alert">
        {page ? `${page.label} needs the ${roleLabel(page.role)} role in this tenant` : "Your role in this tenant cannot open this page"}; ask an admin of
        the tenant if you need it.
      </p>
      <p className="muted small">
        <Link href={`/t/${tenant}`}>Back to the runs</Link>
      </p>
    </section>
  );
}
