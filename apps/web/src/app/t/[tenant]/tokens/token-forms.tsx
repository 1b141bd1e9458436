"use client";
// Make a token (shown once, with a copy field) and revoke one. The form is checked in the browser with the procedure's
// schema before it is sent, and the server's answer is shown at its field either way.
import { useActionState, useState, type FormEvent } from "react";
import { createApiTokenInput, TOKEN_EXPIRY_DAYS } from "../../../../server/routers/apiTokens/create.schema";
import { createTokenFromPage, revokeTokenFromPage } from "./token-actions";
import { tokenFormFields } from "./token-form-fields";

const SCOPES = [
  { value: "runs:read", label: "runs:read", help: "read runs, logs, pools and secret names" },
  { value: "runs:write", label: "runs:write", help: "also dispatch, cancel and re-run (and every other change your role allows, except admin ones)" },
  { value: "admin", label: "admin", help: "also what needs the admin role: secrets, pools, settings, tokens" },
] as const;

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} className="error small" role="alert">
      {message}
    </span>
  );
}

export function CreateTokenForm({ tenant }: { tenant: string }) {
  const [state, action, pending] = useActionState(createTokenFromPage, null);
  const [browserErrors, setBrowserErrors] = useState<Record<string, string>>({});
  const errors = { ...(state && !state.ok ? state.fieldErrors : {}), ...browserErrors };
  const check = (event: FormEvent<HTMLFormElement>) => {
    const parsed = createApiTokenInput.safeParse(tokenFormFields(new FormData(event.currentTarget)));
    const found: Record<string, string> = {};
    for (const issue of parsed.success ? [] : parsed.error.issues) found[String(issue.path[0] ?? "form")] ??= issue.message;
    setBrowserErrors(found);
    if (!parsed.success) event.preventDefault();
  };
  return (
    <>
      {state?.ok && (
        <div className="card-inset" role="status" data-testid="new-token">
          <p>
            <strong>{state.name}</strong>: copy it now, it is not shown again.
          </p>
          <input readOnly value={state.token} aria-label="The new API token" className="mono" onFocus={(event) => event.currentTarget.select()} size={60} />
        </div>
      )}
      <form action={action} onSubmit={check} className="settings-form" data-testid="create-token" noValidate>
        <input type="hidden" name="tenant" value={tenant} />
        <label>
          Name
          <input name="name" required maxLength={100} autoComplete="off" aria-invalid={Boolean(errors.name)} aria-describedby={errors.name ? "token-name-error" : undefined} placeholder="deploy script on ci-01" />
        </label>
        <FieldError id="token-name-error" message={errors.name} />
        <fieldset aria-invalid={Boolean(errors.scopes)} aria-describedby={errors.scopes ? "token-scopes-error" : undefined}>
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope.value}>
              <input type="checkbox" name="scopes" value={scope.value} defaultChecked={scope.value === "runs:read"} />
              <code>{scope.label}</code> <span className="muted small">{scope.help}</span>
            </label>
          ))}
        </fieldset>
        <FieldError id="token-scopes-error" message={errors.scopes} />
        <label>
          Expires
          <select name="expiresInDays" defaultValue="90" aria-invalid={Boolean(errors.expiresInDays)} aria-describedby={errors.expiresInDays ? "token-expiry-error" : undefined}>
            {TOKEN_EXPIRY_DAYS.map((days) => (
              <option key={days} value={days}>
                in {days} days
              </option>
            ))}
            <option value="never">never (until revoked)</option>
          </select>
        </label>
        <FieldError id="token-expiry-error" message={errors.expiresInDays} />
        <button type="submit" disabled={pending}>
          {pending ? "Making…" : "Make token"}
        </button>
        <FieldError id="token-form-error" message={errors.form} />
      </form>
    </>
  );
}

export function RevokeTokenButton({ tenant, id, name }: { tenant: string; id: string; name: string }) {
  const [error, action, pending] = useActionState(revokeTokenFromPage, null);
  return (
    <form action={action} className="inline-form" data-testid={`revoke-token-${id}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="id" value={id} />
      <button type="submit" disabled={pending} aria-label={`Revoke ${name}`}>
        {pending ? "Revoking…" : "Revoke"}
      </button>
      {error && (
        <span className="error small" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
