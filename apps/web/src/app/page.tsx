import { redirect } from "next/navigation";
import { getSessionUser } from "../server/auth";
import { serverCaller } from "../server/caller";

export const dynamic = "force-dynamic";

/** `/`: sign in first, then the first tenant's dashboard. */
export default async function Home() {
  const session = await getSessionUser();
  if (!session) redirect("/signin");
  const tenants = await serverCaller(session).tenants.list();
  const first = tenants[0];
  if (first) redirect(`/t/${first.slug}`);
  return (
    <main id="main" tabIndex={-1} className="centered">
      <div className="card narrow">
        <h1>No tenants yet</h1>
        <p className="muted">
          You are signed in as {session.email}, but you are not a member of any tenant. Ask a tenant admin to
          add you.
        </p>
        <p className="muted small">
          Installed Gantry&apos;s GitHub App? Sign out and sign in with GitHub as the account that installed it: you become the admin of the tenant
          the installation made (while it has none). <a href="/health">System health</a> lists tenants without an admin and why.
        </p>
      </div>
    </main>
  );
}
