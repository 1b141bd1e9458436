/** A form's refusal, next to its button, announced to screen readers; nothing when there is none. */
export function FormRefusal({ error }: { error: string | null }) {
  return error ? (
    <span className="error small" role="alert">
      {error}
    </span>
  ) : null;
}
