"use client";
// Set a secret (tenant-wide or for one repository) and delete one; refusals are shown in place.
import { useActionState } from "react";
import { FormRefusal } from "../../../../components/form-refusal";
import { NameValueFields } from "./name-value-fields";
import { deleteSecretFromPage, setSecretFromPage } from "./secret-actions";

function SubmitWithError({ pending, error, label, busy }: { pending: boolean; error: string | null; label: string; busy: string }) {
  return (
    <>
      <button type="submit" disabled={pending}>
        {pending ? busy : label}
      </button>
      <FormRefusal error={error} />
    </>
  );
}

export function SetSecretForm({ tenant, repositories }: { tenant: string; repositories: string[] }) {
  const [error, action, pending] = useActionState(setSecretFromPage, null);
  return (
    <form action={action} className="secret-form" data-testid="set-secret">
      <input type="hidden" name="tenant" value={tenant} />
      <label>
        Scope
        <select name="repository" defaultValue="">
          <option value="">Every repository of this tenant</option>
          {repositories.map((repository) => (
            <option key={repository} value={repository}>
              {repository}
            </option>
          ))}
        </select>
      </label>
      <NameValueFields valueRows={3} />
      <SubmitWithError pending={pending} error={error} label="Save secret" busy="Saving…" />
    </form>
  );
}

export function DeleteSecretButton({ tenant, repository, name }: { tenant: string; repository: string; name: string }) {
  const [error, action, pending] = useActionState(deleteSecretFromPage, null);
  return (
    <form action={action} className="inline-form" data-testid={`delete-secret-${repository || "tenant"}-${name}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="repository" value={repository} />
      <input type="hidden" name="name" value={name} />
      <SubmitWithError pending={pending} error={error} label="Delete" busy="Deleting…" />
    </form>
  );
}
