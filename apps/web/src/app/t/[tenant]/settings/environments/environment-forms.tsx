"use client";
// Create an environment, set its protection rules (the engine's: reviewers by name or role, how many approvals,
// self-review, wait timer, branch and tag patterns),
// delete it. Refusals are shown at their fields.
import { useActionState } from "react";
import { FieldMessage, FormOutcome, SubmitRow, TextAreaField, TextField } from "../../../../../components/form-field";
import { createEnvironmentFromPage, deleteEnvironmentFromPage, setProtectionFromPage } from "./environment-actions";

export function CreateEnvironmentForm({ tenant, repositories }: { tenant: string; repositories: { id: string; fullName: string }[] }) {
  const [state, action, pending] = useActionState(createEnvironmentFromPage, null);
  const fields = state?.fields ?? {};
  return (
    <form action={action} className="admin-form" data-testid="create-environment" aria-labelledby="create-environment-title">
      <h2 id="create-environment-title" className="wide">
        New environment
      </h2>
      <input type="hidden" name="tenant" value={tenant} />
      <div className="field">
        <label htmlFor="field-repositoryId">Repository</label>
        <select id="field-repositoryId" name="repositoryId" aria-invalid={fields.repositoryId ? true : undefined} aria-describedby={fields.repositoryId ? "field-repositoryId-error" : undefined}>
          {repositories.map((repository) => (
            <option key={repository.id} value={repository.id}>
              {repository.fullName}
            </option>
          ))}
        </select>
        <FieldMessage id="field-repositoryId-error" error={fields.repositoryId} />
      </div>
      <TextField label="Name" name="name" error={fields.name} hint="As jobs name it in environment:, e.g. production." required autoComplete="off" />
      <SubmitRow pending={pending} label="Create environment" busy="Creating…" primary state={state} />
    </form>
  );
}

export interface ProtectionValues {
  reviewers: string[];
  reviewerRoles: string[];
  requiredApprovals: number;
  preventSelfReview: boolean;
  expiresInMinutes: number | null;
  waitMinutes: number | null;
  branches: string[];
  tags: string[];
}

/** The roles a rule may name and its largest number of approvals (from @gantry/db's schema, via the server page). */
export interface ReviewLimits {
  roles: readonly string[];
  maxApprovals: number;
}

export function ProtectionForm({ tenant, environmentId, name, members, values, limits }: { tenant: string; environmentId: string; name: string; members: { id: string; name: string; email: string; role: string }[]; values: ProtectionValues; limits: ReviewLimits }) {
  const [state, action, pending] = useActionState(setProtectionFromPage, null);
  const fields = state?.fields ?? {};
  const idPrefix = `${environmentId}-`;
  const reviewerError = fields["requiredReviewers.reviewers"] ?? fields.requiredReviewers;
  const rolesError = Object.entries(fields).find(([key]) => key.startsWith("requiredReviewers.reviewerRoles"))?.[1];
  return (
    <form action={action} className="admin-form" data-testid={`protection-${name}`} aria-label={`Protection rules of ${name}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="environmentId" value={environmentId} />
      <fieldset aria-describedby={reviewerError ? `field-${idPrefix}reviewers-error` : `field-${idPrefix}reviewers-hint`}>
        <legend>Required reviewers</legend>
        <span id={`field-${idPrefix}reviewers-hint`} className="muted small wide">
          A job deploying here waits until enough of them approve (any rejection refuses it). None ticked: no review is required.
        </span>
        {members.map((member) => (
          <label key={member.id} className="radio-row">
            <input type="checkbox" name="reviewers" value={member.id} defaultChecked={values.reviewers.includes(member.id)} />
            {member.name || member.email} <span className="muted small">({member.role.toLowerCase()})</span>
          </label>
        ))}
        <FieldMessage id={`field-${idPrefix}reviewers-error`} error={reviewerError} />
        <fieldset aria-describedby={rolesError ? `field-${idPrefix}reviewerRoles-error` : `field-${idPrefix}reviewerRoles-hint`}>
          <legend>Reviewers by role</legend>
          <span id={`field-${idPrefix}reviewerRoles-hint`} className="muted small wide">
            Every member with a ticked role may review too (exactly that role: tick Admin as well if admins should).
          </span>
          {limits.roles.map((role) => (
            <label key={role} className="radio-row">
              <input type="checkbox" name="reviewerRoles" value={role} defaultChecked={values.reviewerRoles.includes(role)} />
              {role.charAt(0) + role.slice(1).toLowerCase()}
            </label>
          ))}
          <FieldMessage id={`field-${idPrefix}reviewerRoles-error`} error={rolesError} />
        </fieldset>
        <TextField
          label="Approvals required"
          name="requiredApprovals"
          idPrefix={idPrefix}
          type="number"
          min="1"
          max={String(limits.maxApprovals)}
          defaultValue={values.requiredApprovals}
          error={fields["requiredReviewers.requiredApprovals"]}
          hint={`How many reviewers must approve (1 – ${limits.maxApprovals}).`}
        />
        <label className="radio-row">
          <input type="checkbox" name="preventSelfReview" defaultChecked={values.preventSelfReview} aria-describedby={`field-${idPrefix}preventSelfReview-hint`} />
          Prevent self-review
        </label>
        <span id={`field-${idPrefix}preventSelfReview-hint`} className="muted small wide">
          The user who triggered the run may not approve its deployment.
        </span>
        <FieldMessage id={`field-${idPrefix}preventSelfReview-error`} error={fields["requiredReviewers.preventSelfReview"]} />
        <TextField label="Review expires after (minutes)" name="expiresInMinutes" idPrefix={idPrefix} type="number" min="1" max="43200" defaultValue={values.expiresInMinutes ?? 43200} error={fields["requiredReviewers.expiresInMinutes"]} />
      </fieldset>
      <TextField label="Wait timer (minutes)" name="waitMinutes" idPrefix={idPrefix} type="number" min="0" max="43200" defaultValue={values.waitMinutes ?? 0} error={fields["waitTimer.minutes"] ?? fields.waitTimer} hint="How long a job waits at this environment before it may start; 0: no wait." />
      <TextAreaField label="Deployment branches" name="branches" idPrefix={idPrefix} defaultValue={values.branches.join("\n")} error={fields["branchPolicy.branches"] ?? fields.branchPolicy} hint="Patterns, one a line (main, release/*; !pattern excludes). Both lists empty: any ref may deploy." />
      <TextAreaField label="Deployment tags" name="tags" idPrefix={idPrefix} defaultValue={values.tags.join("\n")} error={fields["branchPolicy.tags"]} hint="Patterns, one a line (v*)." />
      <SubmitRow pending={pending} label={`Save rules of ${name}`} busy="Saving…" state={state} />
    </form>
  );
}

export function DeleteEnvironmentButton({ tenant, environmentId, name }: { tenant: string; environmentId: string; name: string }) {
  const [state, action, pending] = useActionState(deleteEnvironmentFromPage, null);
  return (
    <form
      action={action}
      className="inline-form"
      data-testid={`delete-environment-${name}`}
      onSubmit={(event) => {
        if (!window.confirm(`Delete environment ${name} with its rules and secrets?`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="environmentId" value={environmentId} />
      <button type="submit" className="button small" disabled={pending}>
        {pending ? "Deleting…" : `Delete ${name}`}
      </button>
      <FormOutcome state={state} />
    </form>
  );
}
