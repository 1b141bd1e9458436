// An invitation's accept link (docs/web.md "Members"): a signed-in user it names joins with its role; anyone else is
// told why not — not signed in, signed in as someone else, or the invitation is closed — and what to do.
import type { Metadata } from "next";
import Link from "next/link";
import { TRPCError } from "@trpc/server";
import { SignOutButton } from "../../../components/sign-out-button";
import { getSessionUser } from "../../../server/auth";
import { serverCaller } from "../../../server/caller";
import { roleLabel } from "../../../server/roles";
import { AcceptForm } from "./accept-form";

export const metadata: Metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

function Card({ children }: { children: React.ReactNode }) {
  return (
    <main id="main" tabIndex={-1} className="centered">
      <section className="card narrow" data-testid="invitation">
        <h1>Invitation</h1>
        {children}
      </section>
    </main>
  );
}

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const here = `/invite/${encodeURIComponent(token)}`;
  const session = await getSessionUser();
  if (!session) {
    return (
      <Card>
        <p>Sign in to accept this invitation: with the email address it was sent to, or with GitHub if it names your GitHub login.</p>
        <Link className="button" href={`/signin?callbackUrl=${encodeURIComponent(here)}`}>
          Sign in
        </Link>
      </Card>
    );
  }
  let offer;
  try {
    offer = await serverCaller(session).invitations.get({ token });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) {
      return (
        <Card>
          <p className="error" role="alert">
            {error.code === "NOT_FOUND" ? error.message : "This is not an invitation link; copy the whole link from the invitation."}
          </p>
          <Link href="/">Go to your tenants</Link>
        </Card>
      );
    }
    throw error;
  }
  return (
    <Card>
      <p>
        Join <strong>{offer.tenant.name}</strong> as <strong>{roleLabel(offer.role)}</strong> (invitation for {offer.invitee}).
      </p>
      {offer.canAccept ? (
        <AcceptForm token={token} label={`Join ${offer.tenant.name}`} />
      ) : (
        <>
          <p className="error" role="alert" data-testid="invitation-refused">
            {offer.reason}
          </p>
          {offer.state === "open" ? (
            <p className="small">
              Signed in as {session.email}. <SignOutButton then={`/signin?callbackUrl=${encodeURIComponent(here)}`} label="Sign in as someone else" />
            </p>
          ) : null}
        </>
      )}
    </Card>
  );
}
