import Link from "next/link";
import { TRPCError } from "@trpc/server";
import { tenantAccess } from "../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../server/caller";
import { gateSettingsPage } from "../settings-access";
import { tenantTitle } from "../../../../server/navigation/tenant-title";

export const generateMetadata = tenantTitle("Audit log");
export const dynamic = "force-dynamic";

const when = (iso: string) => `${iso.replace("T", " ").slice(0, 19)} UTC`;

type Search = { cursor?: string; actor?: string; action?: string; type?: string; id?: string; since?: string; until?: string };

/** A `datetime-local` field's value (UTC on this page) as the procedure's ISO time; empty: no bound. */
const utc = (value: string | undefined) => (value ? (/Z$|[+-]\d\d:\d\d$/.test(value) ? value : `${value.length === 16 ? `${value}:00` : value}Z`) : undefined);

/** The filter form: a plain GET form, so a filtered view is a link to share, and works without JavaScript. */
function AuditFilters({ tenant, search }: { tenant: string; search: Search }) {
  const field = (name: keyof Search, label: string, placeholder: string, type = "text") => (
    <label>
      {label}
      <input name={name} type={type} defaultValue={search[name]?.replace(/:00Z$/, "") ?? ""} placeholder={placeholder} autoComplete="off" spellCheck={false} />
    </label>
  );
  return (
    <form method="get" action={`/t/${tenant}/audit`} className="audit-filters" data-testid="audit-filters" aria-label="Filter the audit log">
      {field("actor", "Actor", "a user id")}
      {field("action", "Action", "membership. or membership.removed")}
      {field("type", "Object type", "Membership")}
      {field("id", "Object id", "its id as shown")}
      {field("since", "From (UTC)", "", "datetime-local")}
      {field("until", "To (UTC)", "", "datetime-local")}
      <button type="submit">Filter</button>
    </form>
  );
}

/** The tenant's audit log for its admins, newest first; `?cursor=` pages back; actor, action, object and time filter. */
export default async function AuditPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<Search> }) {
  const { tenant } = await params;
  await gateSettingsPage(tenant, "audit");
  const search = await searchParams;
  const { session } = await tenantAccess(tenant);
  const filters = {
    ...(search.actor ? { actor: search.actor } : {}),
    ...(search.action ? { action: search.action } : {}),
    ...(search.type ? { targetType: search.type } : {}),
    ...(search.id ? { targetId: search.id } : {}),
    ...(search.since ? { since: utc(search.since) } : {}),
    ...(search.until ? { until: utc(search.until) } : {}),
  };
  let page;
  try {
    page = await serverCaller(session).audit.list({ tenant, ...(search.cursor ? { cursor: search.cursor } : {}), ...filters });
  } catch (error) {
    // A role too low never gets here (the gate above answers 403); bad filters are the user's to fix.
    if (error instanceof TRPCError && error.code === "BAD_REQUEST") {
      return (
        <section className="card narrow" data-testid="audit-refused">
          <h2>Audit log</h2>
          <p className="error small" role="alert">
            These filters cannot be used: {error.message}
          </p>
          <Link href={`/t/${tenant}/audit`}>Clear the filters</Link>
        </section>
      );
    }
    throw error;
  }
  const kept = new URLSearchParams(Object.entries(search).filter((entry): entry is [string, string] => entry[0] !== "cursor" && typeof entry[1] === "string" && entry[1] !== ""));
  const filtered = kept.size > 0;
  const filter = filtered ? `&${kept.toString()}` : "";
  return (
    <section className="card" data-testid="audit">
      <div className="card-head">
        <h2>Audit log</h2>
        <Link href={`/t/${tenant}/audit`} className="small">
          {filtered ? "clear filters" : "newest"}
        </Link>
      </div>
      <p className="muted small">Append-only: the database refuses to change or remove an entry.</p>
      <AuditFilters tenant={tenant} search={search} />
      {page.events.length === 0 ? (
        <p className="muted small">{filtered ? "No events match these filters; widen the time range or clear a filter." : "No events yet: changes to members, secrets, variables and settings appear here."}</p>
      ) : (
        <table className="table audit-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Target</th>
              <th>Details</th>
              <th>IP</th>
            </tr>
          </thead>
          <tbody>
            {page.events.map((event) => (
              <tr key={event.id} data-testid={`audit-${event.id}`}>
                <td className="muted small">{when(event.at)}</td>
                <td className="small">
                  {event.actorKind.toLowerCase()}{" "}
                  {event.actorId ? <Link href={`/t/${tenant}/audit?actor=${encodeURIComponent(event.actorId)}`}>{event.actorId}</Link> : null}
                </td>
                <td>
                  <Link href={`/t/${tenant}/audit?action=${encodeURIComponent(event.action)}`}>
                    <code>{event.action}</code>
                  </Link>
                </td>
                <td className="small">
                  <Link href={`/t/${tenant}/audit?type=${encodeURIComponent(event.targetType)}&id=${encodeURIComponent(event.targetId)}`}>
                    {event.targetType} <code>{event.targetId}</code>
                  </Link>
                </td>
                <td className="small">
                  <code>{event.details === null ? "" : JSON.stringify(event.details)}</code>
                </td>
                <td className="muted small">{event.ip ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.nextCursor ? (
        <Link href={`/t/${tenant}/audit?cursor=${page.nextCursor}${filter}`} className="small">
          older →
        </Link>
      ) : null}
    </section>
  );
}
