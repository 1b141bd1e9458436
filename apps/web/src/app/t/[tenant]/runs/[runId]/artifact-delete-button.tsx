"use client";
// Delete one artifact (maintainers see it); asks first, and shows the server's refusal in place.
import { useActionState } from "react";
import { FormRefusal } from "../../../../../components/form-refusal";
import { deleteArtifactFromPage } from "./artifact-actions";

export function ArtifactDeleteButton({ tenant, runId, name }: { tenant: string; runId: string; name: string }) {
  const [error, action, pending] = useActionState(deleteArtifactFromPage, null);
  return (
    <form
      action={action}
      className="inline-form"
      data-testid={`delete-artifact-${name}`}
      onSubmit={(event) => {
        if (!window.confirm(`Delete artifact ${name}? Its files are removed and cannot be downloaded again.`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="runId" value={runId} />
      <input type="hidden" name="name" value={name} />
      <button type="submit" disabled={pending} aria-label={`Delete artifact ${name}`}>
        {pending ? "Deleting…" : "Delete"}
      </button>
      <FormRefusal error={error} />
    </form>
  );
}
