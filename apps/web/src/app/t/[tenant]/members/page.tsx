import Link from "next/link";
import { tenantAccess } from "../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../server/caller";
import { roleLabel } from "../../../../server/roles";
import { InviteForm, RemoveMemberButton, RevokeInvitationButton, RoleForm } from "./member-forms";
import { tenantTitle } from "../../../../server/navigation/tenant-title";

export const generateMetadata = tenantTitle("Members");
export const dynamic = "force-dynamic";

const day = (iso: string) => iso.slice(0, 10);

/** Who is in the tenant (every member sees it); admins also invite, change roles, remove and revoke (docs/web.md "Members"). */
export default async function MembersPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { session } = await tenantAccess(tenant);
  const caller = serverCaller(session);
  const { members, canManage, you } = await caller.members.list({ tenant });
  const invitations = canManage ? await caller.members.invitations({ tenant }) : [];
  return (
    <>
      <section className="card" data-testid="members">
        <div className="card-head">
          <h1>Members</h1>
          <Link href={`/t/${tenant}`} className="small">
            ← all runs
          </Link>
        </div>
        <p className="muted small">
          Viewers read runs and logs; developers also run, cancel and re-run; maintainers also manage repositories and variables; admins also members, secrets and
          settings. A tenant always keeps one admin.
        </p>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">GitHub</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              {canManage ? <th scope="col">Remove</th> : null}
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.userId} data-testid={`member-${member.email}`}>
                <td>
                  {member.name}
                  {member.userId === you ? <span className="muted small"> (you)</span> : null}
                </td>
                <td className="small">{member.email}</td>
                <td className="small">{member.githubLogin ? `@${member.githubLogin}` : ""}</td>
                <td data-testid="member-role">{canManage ? <RoleForm tenant={tenant} userId={member.userId} role={member.role} name={member.name} /> : roleLabel(member.role)}</td>
                <td className="muted small">{day(member.joinedAt)}</td>
                {canManage ? (
                  <td>
                    <RemoveMemberButton tenant={tenant} userId={member.userId} name={member.name} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {canManage ? (
        <section className="card" data-testid="invitations">
          <h2>Invite someone</h2>
          <p className="muted small">
            By email (they sign in with that address) or by GitHub login (they sign in with GitHub). The link is shown once; send it yourself.
          </p>
          <InviteForm tenant={tenant} />
          <h2>Open invitations</h2>
          {invitations.length === 0 ? (
            <p className="muted small">None open. Invitations appear here until they are accepted, revoked or expire after 7 days.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">For</th>
                  <th scope="col">Role</th>
                  <th scope="col">Invited by</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Revoke</th>
                </tr>
              </thead>
              <tbody>
                {invitations.map((invitation) => {
                  const invitee = invitation.email ?? `@${invitation.githubLogin ?? ""}`;
                  return (
                    <tr key={invitation.id} data-testid={`invitation-${invitee}`}>
                      <td>{invitee}</td>
                      <td>{roleLabel(invitation.role)}</td>
                      <td className="small">{invitation.invitedBy}</td>
                      <td className="muted small">{day(invitation.expiresAt)}</td>
                      <td>
                        <RevokeInvitationButton tenant={tenant} invitationId={invitation.id} invitee={invitee} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
    </>
  );
}
