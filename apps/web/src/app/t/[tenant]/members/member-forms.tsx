"use client";
// The members page's admin controls: invite (the link is shown here once), change a role, remove, revoke an
// invitation. Each shows the server's refusal next to its button.
import { FormRefusal } from "../../../../components/form-refusal";
import { useActionState, useId } from "react";
import { changeRoleFromPage, inviteFromPage, removeMemberFromPage, revokeInvitationFromPage, type InviteState } from "./member-actions";

const ROLES = [
  ["VIEWER", "Viewer: reads runs and logs"],
  ["DEVELOPER", "Developer: also runs, cancels and re-runs"],
  ["MAINTAINER", "Maintainer: also repositories and variables"],
  ["ADMIN", "Admin: also members, secrets and settings"],
] as const;

export function InviteForm({ tenant }: { tenant: string }) {
  const [state, action, pending] = useActionState<InviteState, FormData>(inviteFromPage, { error: null, path: null, invitee: null });
  const linkId = useId();
  return (
    <>
      <form action={action} className="member-form" data-testid="invite-form" aria-label="Invite a member">
        <input type="hidden" name="tenant" value={tenant} />
        <label>
          Invite by
          <select name="kind" defaultValue="email">
            <option value="email">Email address</option>
            <option value="github">GitHub login</option>
          </select>
        </label>
        <label>
          Email or GitHub login
          <input name="address" required autoComplete="off" spellCheck={false} placeholder="ada@example.com or octocat" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="DEVELOPER">
            {ROLES.map(([role, label]) => (
              <option key={role} value={role}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={pending}>
          {pending ? "Inviting…" : "Invite"}
        </button>
        <FormRefusal error={state.error} />
      </form>
      {state.path ? (
        <div className="banner" role="status" data-testid="invite-link">
          <p className="small" id={linkId}>
            Send this link to {state.invitee}. It is shown only now, works once, and expires in 7 days:
          </p>
          <code className="invite-link" aria-describedby={linkId}>
            {typeof window === "undefined" ? state.path : new URL(state.path, window.location.origin).toString()}
          </code>
        </div>
      ) : null}
    </>
  );
}

export function RoleForm({ tenant, userId, role, name }: { tenant: string; userId: string; role: string; name: string }) {
  const [error, action, pending] = useActionState(changeRoleFromPage, null);
  return (
    <form action={action} className="member-row-form" data-testid={`role-form-${userId}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="userId" value={userId} />
      <label className="visually-hidden" htmlFor={`role-${userId}`}>
        Role of {name}
      </label>
      <select id={`role-${userId}`} name="role" defaultValue={role}>
        {ROLES.map(([value]) => (
          <option key={value} value={value}>
            {value.toLowerCase()}
          </option>
        ))}
      </select>
      <button type="submit" className="button small" disabled={pending} aria-label={`Change the role of ${name}`}>
        {pending ? "Saving…" : "Change"}
      </button>
      <FormRefusal error={error} />
    </form>
  );
}

export function RemoveMemberButton({ tenant, userId, name }: { tenant: string; userId: string; name: string }) {
  const [error, action, pending] = useActionState(removeMemberFromPage, null);
  return (
    <form action={action} className="member-row-form" data-testid={`remove-${userId}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" className="button small" disabled={pending} aria-label={`Remove ${name} from this tenant`}>
        {pending ? "Removing…" : "Remove"}
      </button>
      <FormRefusal error={error} />
    </form>
  );
}

export function RevokeInvitationButton({ tenant, invitationId, invitee }: { tenant: string; invitationId: string; invitee: string }) {
  const [error, action, pending] = useActionState(revokeInvitationFromPage, null);
  return (
    <form action={action} className="member-row-form" data-testid={`revoke-${invitationId}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="invitationId" value={invitationId} />
      <button type="submit" className="button small" disabled={pending} aria-label={`Revoke the invitation of ${invitee}`}>
        {pending ? "Revoking…" : "Revoke"}
      </button>
      <FormRefusal error={error} />
    </form>
  );
}
