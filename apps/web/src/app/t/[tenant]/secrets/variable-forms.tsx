"use client";
// Set a variable (tenant, repository or environment) and delete one; refusals are shown in place.
import { useActionState } from "react";
import { FormRefusal } from "../../../../components/form-refusal";
import { NameValueFields } from "./name-value-fields";
import { deleteVariableFromPage, setVariableFromPage } from "./variable-actions";

export interface VariableScopeChoice {
  label: string;
  /** The procedure's scope object, as JSON. */
  scope: string;
}

export function SetVariableForm({ tenant, scopes }: { tenant: string; scopes: VariableScopeChoice[] }) {
  const [error, action, pending] = useActionState(setVariableFromPage, null);
  return (
    <form action={action} className="secret-form" data-testid="set-variable" aria-label="Add or change a variable">
      <input type="hidden" name="tenant" value={tenant} />
      <label>
        Scope
        <select name="scope" defaultValue={scopes[0]?.scope}>
          {scopes.map((choice) => (
            <option key={choice.scope} value={choice.scope}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      <NameValueFields valueRows={2} />
      <button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save variable"}
      </button>
      <FormRefusal error={error} />
    </form>
  );
}

export function DeleteVariableButton({ tenant, scope, name }: { tenant: string; scope: string; name: string }) {
  const [error, action, pending] = useActionState(deleteVariableFromPage, null);
  return (
    <form action={action} className="inline-form">
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="scope" value={scope} />
      <input type="hidden" name="name" value={name} />
      <button type="submit" disabled={pending} aria-label={`Delete variable ${name}`}>
        {pending ? "Deleting…" : "Delete"}
      </button>
      <FormRefusal error={error} />
    </form>
  );
}
