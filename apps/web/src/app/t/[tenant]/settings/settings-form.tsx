"use client";
// The tenant's workflow settings as a form; only an admin can change them (the others see them read-only).
import { useActionState } from "react";
import { saveTenantSettings } from "./settings-actions";

export function TenantSettingsForm({ tenant, injectionIsError, canManage }: { tenant: string; injectionIsError: boolean; canManage: boolean }) {
  const [state, action, pending] = useActionState(saveTenantSettings, null);
  return (
    <form action={action} className="settings-form" data-testid="tenant-settings">
      <input type="hidden" name="tenant" value={tenant} />
      <label>
        <input type="checkbox" name="injectionIsError" defaultChecked={injectionIsError} disabled={!canManage} />
        Script injection is an error
      </label>
      <p className="muted small">
        A workflow that expands attacker-controlled input such as <code>{"${{ github.event.pull_request.title }}"}</code> inside <code>run:</code> is
        refused at intake (a failed run with the file, line and column) instead of running with a warning.
      </p>
      {canManage ? (
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save settings"}
        </button>
      ) : (
        <p className="muted small">Only an admin can change these settings.</p>
      )}
      {state && (
        <span className={state.ok ? "muted small" : "error small"} role={state.ok ? "status" : "alert"}>
          {state.message}
        </span>
      )}
    </form>
  );
}
