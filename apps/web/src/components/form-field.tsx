// A labelled form control with its hint and the server's error for it, wired for screen readers: the control is
// named by its label alone, aria-invalid, and described by the error (and the hint), which is announced when it
// appears.
import type { InputHTMLAttributes, ReactNode } from "react";

export function FieldMessage({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <span id={id} className="field-error small" role="alert">
      {error}
    </span>
  ) : null;
}

/** `idPrefix` keeps ids unique when one form is on the page several times (one per pool, per environment). */
export function TextField({ label, name, error, hint, idPrefix = "", ...input }: { label: string; name: string; error?: string | undefined; hint?: ReactNode; idPrefix?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = `field-${idPrefix}${name}`;
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      ) : null}
      <FieldMessage id={`${id}-error`} error={error} />
    </div>
  );
}

export function TextAreaField({ label, name, error, hint, defaultValue, rows = 3, disabled, idPrefix = "" }: { label: string; name: string; error?: string | undefined; hint?: ReactNode; defaultValue?: string; rows?: number; disabled?: boolean; idPrefix?: string }) {
  const id = `field-${idPrefix}${name}`;
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} name={name} rows={rows} defaultValue={defaultValue} disabled={disabled} aria-invalid={error ? true : undefined} aria-describedby={describedBy} spellCheck={false} />
      {hint ? (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      ) : null}
      <FieldMessage id={`${id}-error`} error={error} />
    </div>
  );
}

/** The form's overall outcome, announced politely on success and assertively on refusal. */
export function FormOutcome({ state }: { state: { ok: boolean; message: string } | null }) {
  if (!state) return null;
  return (
    <p className={state.ok ? "muted small" : "form-error small"} role={state.ok ? "status" : "alert"}>
      {state.message}
    </p>
  );
}
