// A labelled form control with its hint and the server's error for it, wired for screen readers: the control is
// named by its label alone, aria-invalid, and described by the error (and the hint), which is announced when it
// appears.
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";

export function FieldMessage({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <span id={id} className="field-error small" role="alert">
      {error}
    </span>
  ) : null;
}

type FieldAria = { id: string; "aria-invalid": true | undefined; "aria-describedby": string | undefined };

/**
 * The label, the control, its hint and its error; `control` receives the id and the aria attributes to set.
 * `beside`: the label after the control on one line (a checkbox).
 */
function FieldFrame({ id, label, error, hint, control, beside = false }: { id: string; label: string; error: string | undefined; hint: ReactNode; control: (aria: FieldAria) => ReactNode; beside?: boolean }) {
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  const labelled = <label htmlFor={id}>{label}</label>;
  const field = control({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy });
  return (
    <div className="field">
      {beside ? (
        <span className="checkbox-row">
          {field}
          {labelled}
        </span>
      ) : (
        <>
          {labelled}
          {field}
        </>
      )}
      {hint ? (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      ) : null}
      <FieldMessage id={`${id}-error`} error={error} />
    </div>
  );
}

/** `idPrefix` keeps ids unique when one form is on the page several times (one per pool, per environment). */
export function TextField({ label, name, error, hint, idPrefix = "", ...input }: { label: string; name: string; error?: string | undefined; hint?: ReactNode; idPrefix?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return <FieldFrame id={`field-${idPrefix}${name}`} label={label} error={error} hint={hint} control={(aria) => <input name={name} {...aria} {...input} />} />;
}

export function TextAreaField({ label, name, error, hint, defaultValue, rows = 3, disabled, idPrefix = "" }: { label: string; name: string; error?: string | undefined; hint?: ReactNode; defaultValue?: string; rows?: number; disabled?: boolean; idPrefix?: string }) {
  return <FieldFrame id={`field-${idPrefix}${name}`} label={label} error={error} hint={hint} control={(aria) => <textarea name={name} rows={rows} defaultValue={defaultValue} disabled={disabled} spellCheck={false} {...aria} />} />;
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

/** The form's submit button (its label while pending) and, when `showOutcome`, the outcome beside it. */
export function SubmitRow({ pending, label, busy, primary = false, state, showOutcome = true }: { pending: boolean; label: string; busy: string; primary?: boolean; state: { ok: boolean; message: string } | null; showOutcome?: boolean }) {
  return (
    <div className="form-actions">
      <button type="submit" className={primary ? "button primary" : "button"} disabled={pending}>
        {pending ? busy : label}
      </button>
      {showOutcome ? <FormOutcome state={state} /> : null}
    </div>
  );
}

/** A select with its label, hint and error; `options` are the values, shown as they are. */
export function SelectField({ label, name, error, hint, options, idPrefix = "", ...select }: { label: string; name: string; error?: string | undefined; hint?: ReactNode; options: { value: string; label: string }[]; idPrefix?: string } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <FieldFrame
      id={`field-${idPrefix}${name}`}
      label={label}
      error={error}
      hint={hint}
      control={(aria) => (
        <select name={name} {...aria} {...select}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

/** A checkbox with its label beside it, then its hint and error. */
export function CheckboxField({ label, name, error, hint, idPrefix = "", ...input }: { label: string; name: string; error?: string | undefined; hint?: ReactNode; idPrefix?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return <FieldFrame id={`field-${idPrefix}${name}`} label={label} error={error} hint={hint} beside control={(aria) => <input type="checkbox" name={name} {...aria} {...input} />} />;
}
