"use client";
// The tenant's workflow settings as a form; only an admin can change them (the others see them read-only).
import { useActionState } from "react";
import type { ActionsPolicy } from "@gantry/workflow-schema";
import { saveTenantSettings } from "./settings-actions";

const POLICY_CHOICES = [
  { kind: "all", label: "All actions" },
  { kind: "github-owned", label: "GitHub-owned actions only (owners actions and github)" },
  { kind: "list", label: "Actions matching these patterns" },
] as const;

/** The textarea's text for a policy: its patterns, one a line. */
const patternsText = (policy: ActionsPolicy) => (policy.kind === "list" ? policy.patterns.join("\n") : "");

export function TenantSettingsForm({
  tenant,
  injectionIsError,
  allowedActions,
  githubOrgJoinRole,
  canManage,
}: {
  tenant: string;
  injectionIsError: boolean;
  allowedActions: ActionsPolicy;
  /** Absent or null: only by invitation. */
  githubOrgJoinRole?: string | null;
  canManage: boolean;
}) {
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
      <fieldset data-testid="allowed-actions" disabled={!canManage}>
        <legend>Allowed actions</legend>
        {POLICY_CHOICES.map((choice) => (
          <label key={choice.kind}>
            <input type="radio" name="actionsPolicy" value={choice.kind} defaultChecked={allowedActions.kind === choice.kind} />
            {choice.label}
          </label>
        ))}
        <textarea name="actionPatterns" rows={5} defaultValue={patternsText(allowedActions)} placeholder={"actions/*\nowner/repo@*\nowner/repo@v1\nowner/repo/path@ref"} aria-label="Allowed action patterns, one a line" />
        <p className="muted small">
          Local actions (<code>./path</code>) are always allowed. Patterns: <code>owner/*</code>, <code>owner/repo@*</code>, <code>owner/repo@v1</code>,{" "}
          <code>owner/repo/path@ref</code>; <code>*</code> matches within a name. A workflow naming any other action is refused at intake, at its{" "}
          <code>uses:</code>.
        </p>
      </fieldset>
      <label>
        GitHub organisation members join as
        <select name="githubOrgJoinRole" defaultValue={githubOrgJoinRole ?? ""} disabled={!canManage} data-testid="github-org-join-role">
          <option value="">Nobody: only by invitation</option>
          <option value="VIEWER">Viewer</option>
          <option value="DEVELOPER">Developer</option>
          <option value="MAINTAINER">Maintainer</option>
          <option value="ADMIN">Admin</option>
        </select>
      </label>
      <p className="muted small">
        When set, anyone who signs in with GitHub and is a member of the GitHub organisation that installed the App joins this tenant with that role (checked
        through the App at each sign-in). Invitations work either way.
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
