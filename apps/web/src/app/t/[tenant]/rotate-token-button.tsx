"use client";
// Rotate a pool's registration token: the old one stops admitting runners, those already in the pool keep running.
// The new token is shown here once; copy it into the runners' GANTRY_RUNNER_TOKEN.
import { useActionState } from "react";
import { rotateTokenFromPage } from "./pool-actions";

export function RotateTokenButton({ tenant, pool }: { tenant: string; pool: string }) {
  const [state, action, pending] = useActionState(rotateTokenFromPage, null);
  return (
    <form action={action} className="inline-form" data-testid={`rotate-token-${pool}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="pool" value={pool} />
      <button type="submit" className="button small" disabled={pending}>
        {pending ? "Rotating…" : "Rotate registration token"}
      </button>
      {state?.token && (
        <span className="small" role="status">
          New token (shown once): <code data-testid="new-registration-token">{state.token}</code>
        </span>
      )}
      {state?.error && (
        <span className="error small" role="alert">
          {state.error}
        </span>
      )}
    </form>
  );
}
