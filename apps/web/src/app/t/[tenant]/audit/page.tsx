import type { Metadata } from "next";
import Link from "next/link";
import { TRPCError } from "@trpc/server";
import { getSessionUser } from "../../../../server/auth";
import { serverCaller } from "../../../../server/caller";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const when = (iso: string) => `${iso.replace("T", " ").slice(0, 19)} UTC`;

/** The tenant's audit log for its admins, newest first; `?cursor=` pages back, `?action=` filters. */
export default async function AuditPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<{ cursor?: string; action?: string }> }) {
  const { tenant } = await params;
  const { cursor, action } = await searchParams;
  const session = await getSessionUser();
  if (!session) return null;
  let page;
  try {
    page = await serverCaller(session).audit.list({ tenant, ...(cursor ? { cursor } : {}), ...(action ? { action } : {}) });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "FORBIDDEN" || error.code === "BAD_REQUEST")) {
      return (
        <section className="card narrow" data-testid="audit-refused">
          <h2>Audit log</h2>
          <p className="error small">{error.message}</p>
        </section>
      );
    }
    throw error;
  }
  const filter = action ? `&action=${encodeURIComponent(action)}` : "";
  return (
    <section className="card" data-testid="audit">
      <div className="card-head">
        <h2>Audit log{action ? ` · ${action}` : ""}</h2>
        <Link href={`/t/${tenant}/audit`} className="small">
          newest
        </Link>
      </div>
      <p className="muted small">Append-only: the database refuses to change or remove an entry.</p>
      {page.events.length === 0 ? (
        <p className="muted small">No events.</p>
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
                  {event.actorKind.toLowerCase()}
                  {event.actorId ? ` ${event.actorId}` : ""}
                </td>
                <td>
                  <Link href={`/t/${tenant}/audit?action=${encodeURIComponent(event.action)}`}>
                    <code>{event.action}</code>
                  </Link>
                </td>
                <td className="small">
                  {event.targetType} <code>{event.targetId}</code>
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
