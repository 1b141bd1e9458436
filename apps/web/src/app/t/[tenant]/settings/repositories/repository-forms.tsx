"use client";
// Connect a plain git repository (the push secret and hook setup shown once) and rotate a git source's secret.
import { useActionState } from "react";
import { FormOutcome, SubmitRow, TextField } from "../../../../../components/form-field";
import type { FormState } from "../../../../../server/forms/form-state";
import { connectGitFromPage, rotateGitSecretFromPage, syncInstallationFromPage, type ShownSecret } from "./repository-actions";

function SecretOnce({ state }: { state: FormState<ShownSecret> | null }) {
  if (!state?.ok || !state.result) return null;
  return (
    <div className="shown-once" role="status">
      <strong>Push secret for {state.result.repository}</strong> — shown once: Gantry keeps it encrypted and never shows it again.
      <pre>
        <code data-testid="git-notify-secret">{state.result.secret}</code>
      </pre>
      <p className="muted small">
        In the bare repository on the git server (the hook is <code>scripts/git-hooks/post-receive</code> of Gantry&apos;s source):
      </p>
      <pre>
        <code data-testid="git-hook-setup">{state.result.setup}</code>
      </pre>
    </div>
  );
}

export function ConnectGitForm({ tenant }: { tenant: string }) {
  const [state, action, pending] = useActionState(connectGitFromPage, null);
  const fields = state?.fields ?? {};
  return (
    <form action={action} className="admin-form" data-testid="connect-git" aria-labelledby="connect-git-title">
      <h2 id="connect-git-title" className="wide">
        Connect a plain git repository
      </h2>
      <input type="hidden" name="tenant" value={tenant} />
      <TextField label="Source name" name="name" error={fields.name} hint="What this page calls the server, e.g. forge." required autoComplete="off" />
      <TextField label="Clone URL" name="url" error={fields.url} hint="What the worker fetches: https://…, ssh://…, user@host:path or an absolute path." required autoComplete="off" spellCheck={false} />
      <TextField label="Repository name" name="repository" error={fields.repository} hint="As pushes name it (the hook's gantry.repository), e.g. team/app." required autoComplete="off" />
      <TextField label="Default branch" name="defaultBranch" defaultValue="main" error={fields.defaultBranch} />
      <SubmitRow pending={pending} label="Connect repository" busy="Connecting…" primary state={state} showOutcome={false} />
      <div className="wide">
        <FormOutcome state={state} />
        <SecretOnce state={state} />
      </div>
    </form>
  );
}

export function RotateGitSecretButton({ tenant, gitSourceId, name }: { tenant: string; gitSourceId: string; name: string }) {
  const [state, action, pending] = useActionState(rotateGitSecretFromPage, null);
  return (
    <form action={action} className="inline-form" data-testid={`rotate-git-secret-${name}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="gitSourceId" value={gitSourceId} />
      <button type="submit" className="button small" disabled={pending}>
        {pending ? "Rotating…" : `Rotate push secret of ${name}`}
      </button>
      <FormOutcome state={state} />
      <SecretOnce state={state} />
    </form>
  );
}

export function SyncInstallationButton({ tenant, installationId, account }: { tenant: string; installationId: string; account: string }) {
  const [state, action, pending] = useActionState(syncInstallationFromPage, null);
  return (
    <form action={action} className="inline-form" data-testid={`sync-installation-${account}`}>
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="installationId" value={installationId} />
      <button type="submit" className="button small" disabled={pending}>
        {pending ? "Syncing…" : `Sync ${account} now`}
      </button>
      <FormOutcome state={state} />
    </form>
  );
}
