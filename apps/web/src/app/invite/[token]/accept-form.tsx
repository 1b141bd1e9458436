"use client";
import { useActionState } from "react";
import { acceptFromPage } from "./accept-actions";

export function AcceptForm({ token, label }: { token: string; label: string }) {
  const [error, action, pending] = useActionState(acceptFromPage, null);
  return (
    <form action={action} data-testid="accept-invitation">
      <input type="hidden" name="token" value={token} />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Joining…" : label}
      </button>
      {error ? (
        <p className="error small" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
