"use client";
// Pull requests from forks, the GITHUB_TOKEN's default, and the tenant's scheduling plan; read-only below admin,
// and the priority class read-only unless the operator lets tenant admins set it.
import { useActionState } from "react";
import { FieldMessage, SubmitRow, TextField } from "../../../../components/form-field";
import { saveTenantPlan } from "./plan-actions";

export interface TenantPlanValues {
  forkPullRequests: "RUN" | "APPROVE_FIRST_TIME";
  defaultTokenPermissions: "READ" | "WRITE";
  maxConcurrentJobs: number;
  rateLimit: { perSecond: number; burst: number } | null;
  schedulingWeight: number;
}

function Choice({ name, value, current, label, hint, disabled }: { name: string; value: string; current: string; label: string; hint: string; disabled: boolean }) {
  return (
    <label className="radio-row">
      <input type="radio" name={name} value={value} defaultChecked={current === value} disabled={disabled} />
      <span>
        {label} <span className="muted small">— {hint}</span>
      </span>
    </label>
  );
}

export function TenantPlanForm({ tenant, values, canManage, canSetPriority }: { tenant: string; values: TenantPlanValues; canManage: boolean; canSetPriority: boolean }) {
  const [state, action, pending] = useActionState(saveTenantPlan, null);
  const fields = state?.fields ?? {};
  const disabled = !canManage;
  return (
    <form action={action} className="admin-form" data-testid="tenant-plan">
      <input type="hidden" name="tenant" value={tenant} />
      <fieldset aria-describedby={fields.forkPullRequests ? "field-forkPullRequests-error" : undefined}>
        <legend>Pull requests from forks</legend>
        <Choice name="forkPullRequests" value="RUN" current={values.forkPullRequests} label="Run them" hint="untrusted: read-only token, no secrets, never on process pools" disabled={disabled} />
        <Choice name="forkPullRequests" value="APPROVE_FIRST_TIME" current={values.forkPullRequests} label="Require approval for first-time contributors" hint="a fork's pull request whose author GitHub calls a first-time contributor waits until a maintainer approves it on its run page" disabled={disabled} />
        <FieldMessage id="field-forkPullRequests-error" error={fields.forkPullRequests} />
      </fieldset>
      <fieldset aria-describedby={fields.defaultTokenPermissions ? "field-defaultTokenPermissions-error" : undefined}>
        <legend>Default workflow permissions (GITHUB_TOKEN)</legend>
        <Choice name="defaultTokenPermissions" value="READ" current={values.defaultTokenPermissions} label="Read repository contents and packages" hint="GitHub's restricted default" disabled={disabled} />
        <Choice name="defaultTokenPermissions" value="WRITE" current={values.defaultTokenPermissions} label="Read and write permissions" hint="every scope the App holds, for jobs that declare no permissions:" disabled={disabled} />
        <FieldMessage id="field-defaultTokenPermissions-error" error={fields.defaultTokenPermissions} />
      </fieldset>
      <TextField label="Jobs running at once" name="maxConcurrentJobs" type="number" min="1" defaultValue={values.maxConcurrentJobs} disabled={disabled} error={fields.maxConcurrentJobs} hint="Across all pools; more wait their turn." />
      <TextField label="Job starts per second" name="ratePerSecond" type="number" step="any" min="0" defaultValue={values.rateLimit?.perSecond ?? ""} disabled={disabled} error={fields.ratePerSecond ?? fields.rateLimit} hint="Blank: no rate limit." />
      <TextField label="Burst" name="rateBurst" type="number" min="1" defaultValue={values.rateLimit?.burst ?? 1} disabled={disabled} error={fields.rateBurst} hint="Starts allowed at once above the rate." />
      <TextField
        label="Priority class (scheduler weight)"
        name="schedulingWeight"
        type="number"
        min="1"
        max="100"
        defaultValue={values.schedulingWeight}
        disabled={!canSetPriority}
        error={fields.schedulingWeight}
        hint={canSetPriority ? "A higher weight gets a larger share of busy pools." : "Set by the platform's operator (GANTRY_TENANT_ADMINS_SET_PRIORITY lets admins change it)."}
      />
      {canManage ? (
        <SubmitRow pending={pending} label="Save plan and permissions" busy="Saving…" state={state} />
      ) : (
        <p className="muted small">Only an admin can change these settings.</p>
      )}
    </form>
  );
}
