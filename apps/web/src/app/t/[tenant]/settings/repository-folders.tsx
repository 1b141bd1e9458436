"use client";
// Each repository's workflow folders, as two toggles; maintainers and admins change them, the others read them.
import { useActionState } from "react";
import type { RepositorySummary } from "../../../../server/routers/repositories/list.handler";
import { saveWorkflowFolders } from "./repository-actions";

function RepositoryFoldersRow({ tenant, repository, canManage }: { tenant: string; repository: RepositorySummary; canManage: boolean }) {
  const [state, action, pending] = useActionState(saveWorkflowFolders, null);
  return (
    <tr data-testid={`repository-${repository.fullName}`}>
      <td>
        {repository.fullName}
        <span className="muted small"> · {repository.source === "github" ? "GitHub" : repository.source === "git" ? "git" : "no source"}</span>
      </td>
      <td colSpan={2}>
        <form action={action} className="settings-form inline">
          <input type="hidden" name="tenant" value={tenant} />
          <input type="hidden" name="repositoryId" value={repository.id} />
          <label>
            <input type="checkbox" name="readGantryWorkflows" defaultChecked={repository.readGantryWorkflows} disabled={!canManage} /> <code>.gantry/workflows</code>
          </label>{" "}
          <label>
            <input type="checkbox" name="readGithubWorkflows" defaultChecked={repository.readGithubWorkflows} disabled={!canManage} /> <code>.github/workflows</code>
          </label>{" "}
          {canManage ? (
            <button type="submit" disabled={pending}>
              {pending ? "Saving…" : "Save"}
            </button>
          ) : null}
          {state && (
            <span className={state.ok ? "muted small" : "error small"} role={state.ok ? "status" : "alert"}>
              {" "}
              {state.message}
            </span>
          )}
        </form>
      </td>
    </tr>
  );
}

export function RepositoryFolders({ tenant, repositories, canManage }: { tenant: string; repositories: RepositorySummary[]; canManage: boolean }) {
  if (repositories.length === 0) return <p className="muted small">No repositories yet.</p>;
  return (
    <div data-testid="repository-folders">
      <p className="muted small">
        Where each repository&apos;s workflows are read from. When both folders hold a file of the same name, the <code>.gantry/workflows</code> one runs.
        {canManage ? "" : " Only a maintainer or an admin can change them."}
      </p>
      <table>
        <thead>
          <tr>
            <th>Repository</th>
            <th colSpan={2}>Workflow folders</th>
          </tr>
        </thead>
        <tbody>
          {repositories.map((repository) => (
            <RepositoryFoldersRow key={repository.id} tenant={tenant} repository={repository} canManage={canManage} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
