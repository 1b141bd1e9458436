"use client";
// The runner pool forms: create (the registration token shown once), edit, delete, and a runner's drain/remove.
// Each posts to a server action that validates with the procedure's schema and shows the refusal at its field.
import { useActionState, useState } from "react";
import { FormOutcome, SubmitRow, TextAreaField, TextField } from "../../../../../components/form-field";
import type { FormState } from "../../../../../server/forms/form-state";
import { createPoolFromPage, deletePoolFromPage, runnerActionFromPage, setSharedPoolSecretsFromPage, updatePoolFromPage } from "./pool-actions";

export interface PoolValues {
  name: string;
  labels: string[];
  provider: "microvm" | "gvisor" | "bwrap" | "process";
  egress: "none" | "allowlist" | "open";
  egressAllowlist: string[];
  limits: { cpus: number; memoryBytes: number; pids: number; diskBytes: number; maxTimeoutMinutes: number };
}

const PROVIDERS = [
  { value: "microvm", label: "microvm — own kernel (QEMU microVM); the strongest isolation" },
  { value: "gvisor", label: "gvisor — user-space kernel (runsc)" },
  { value: "bwrap", label: "bwrap — namespaces and seccomp on the host kernel" },
  { value: "process", label: "process — no isolation; development only" },
] as const;

const gib = (bytes: number) => String(+(bytes / 1024 ** 3).toFixed(2));

/** The fields create and edit share; `idPrefix` keeps ids unique when several edit forms are on the page. */
function PoolFields({ values, fields, idPrefix }: { values: PoolValues | null; fields: Record<string, string>; idPrefix: string }) {
  const [provider, setProvider] = useState<string>(values?.provider ?? "bwrap");
  const [egress, setEgress] = useState<string>(values?.egress ?? "none");
  const id = (name: string) => `${idPrefix}${name}`;
  const common = { idPrefix };
  return (
    <>
      <TextField label="Labels" name="labels" {...common} defaultValue={values?.labels.join(", ") ?? "self-hosted, linux"} error={fields.labels} hint="Comma-separated; a job runs here when its runs-on names only these labels." required />
      <div className="field">
        <label htmlFor={`field-${id("provider")}`}>Sandbox provider</label>
        <select id={`field-${id("provider")}`} name="provider" value={provider} onChange={(event) => setProvider(event.target.value)} aria-describedby={`field-${id("provider")}-hint`}>
          {PROVIDERS.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
        <span id={`field-${id("provider")}-hint`} className={provider === "process" ? "field-error small" : "muted small"} role={provider === "process" ? "note" : undefined}>
          {provider === "process"
            ? "process isolates nothing: its runners refuse untrusted runs (pull requests from forks), which then wait for another pool; it cannot filter egress. Use it for development only."
            : "Each job runs in a fresh sandbox of this kind; a runner that cannot start it refuses to serve the pool."}
        </span>
        {fields.provider ? <span className="field-error small" role="alert">{fields.provider}</span> : null}
      </div>
      <fieldset>
        <legend>Resource limits per job</legend>
        <TextField label="CPUs" name="cpus" {...common} type="number" step="0.25" min="0.25" defaultValue={values?.limits.cpus ?? 2} error={fields.cpus} />
        <TextField label="Memory (GiB)" name="memoryGiB" {...common} type="number" step="0.25" min="0.25" defaultValue={values ? gib(values.limits.memoryBytes) : 4} error={fields.memoryGiB} />
        <TextField label="Processes" name="pids" {...common} type="number" min="8" defaultValue={values?.limits.pids ?? 1024} error={fields.pids} />
        <TextField label="Disk (GiB)" name="diskGiB" {...common} type="number" step="0.5" min="0.5" defaultValue={values ? gib(values.limits.diskBytes) : 10} error={fields.diskGiB} />
        <TextField label="Job timeout ceiling (minutes)" name="maxTimeoutMinutes" {...common} type="number" min="1" max="10080" defaultValue={values?.limits.maxTimeoutMinutes ?? 360} error={fields.maxTimeoutMinutes} />
      </fieldset>
      <fieldset>
        <legend>Network egress</legend>
        {(["none", "allowlist", "open"] as const).map((choice) => (
          <label key={choice} className="radio-row">
            <input type="radio" name="egress" value={choice} checked={egress === choice} onChange={() => setEgress(choice)} />
            {choice === "none" ? "None — no network" : choice === "allowlist" ? "Allowlist — only these destinations" : "Open — any destination"}
          </label>
        ))}
        {fields.egress ? <span className="field-error small" role="alert">{fields.egress}</span> : null}
        {egress === "allowlist" ? (
          <TextAreaField label="Allowed destinations" name="egressAllowlist" {...common} defaultValue={values?.egressAllowlist.join("\n") ?? ""} error={fields.egressAllowlist} hint="One a line: a host name (no wildcards), an IP address or a CIDR range." />
        ) : null}
      </fieldset>
    </>
  );
}

export function CreatePoolForm({ tenant, publicUrl }: { tenant: string; publicUrl: string }) {
  const [state, action, pending] = useActionState(createPoolFromPage, null);
  const fields = state?.fields ?? {};
  return (
    <form action={action} className="admin-form" data-testid="create-pool" aria-labelledby="create-pool-title">
      <h3 id="create-pool-title" className="wide">
        New runner pool
      </h3>
      <input type="hidden" name="tenant" value={tenant} />
      <TextField label="Name" name="name" idPrefix="new-" error={fields.name} hint="Lowercase letters, digits, '.', '_' and '-'; unique on this platform." required autoComplete="off" />
      <PoolFields values={null} fields={fields} idPrefix="new-" />
      <SubmitRow pending={pending} label="Create pool" busy="Creating…" primary state={state} showOutcome={false} />
      <div className="wide">
        <FormOutcome state={state} />
        {state?.ok && state.result ? <ShownOnce title={`Registration token for ${state.result.name}`} secret={state.result.token} how={`GANTRY_URL=${publicUrl} GANTRY_RUNNER_TOKEN=${state.result.token} GANTRY_RUNNER_NAME=runner-1 npx tsx apps/runner/src/main.ts`} testId="pool-registration-token" /> : null}
      </div>
    </form>
  );
}

/** A secret answered once: say so, show it, and how to use it. */
export function ShownOnce({ title, secret, how, testId }: { title: string; secret: string; how: string; testId: string }) {
  return (
    <div className="shown-once" role="status">
      <strong>{title}</strong> — shown once: copy it now; Gantry keeps only its hash.
      <pre>
        <code data-testid={testId}>{secret}</code>
      </pre>
      <p className="muted small">Start a runner with it:</p>
      <pre>
        <code>{how}</code>
      </pre>
    </div>
  );
}

export function EditPoolForm({ tenant, pool }: { tenant: string; pool: PoolValues }) {
  const [state, action, pending] = useActionState(updatePoolFromPage, null);
  const prefix = `edit-${pool.name}-`;
  return (
    <details>
      <summary>Edit {pool.name}</summary>
      <form action={action} className="admin-form" data-testid={`edit-pool-${pool.name}`}>
        <input type="hidden" name="tenant" value={tenant} />
        <input type="hidden" name="pool" value={pool.name} />
        <PoolFields values={pool} fields={state?.fields ?? {}} idPrefix={prefix} />
        <SubmitRow pending={pending} label="Save pool" busy="Saving…" state={state} />
      </form>
    </details>
  );
}

function SmallActionForm({ action, hidden, label, busy, confirm, testId }: { action: (state: FormState | null, data: FormData) => Promise<FormState>; hidden: Record<string, string>; label: string; busy: string; confirm?: string; testId: string }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form
      action={formAction}
      className="inline-form"
      data-testid={testId}
      onSubmit={(event) => {
        if (confirm && !window.confirm(confirm)) event.preventDefault();
      }}
    >
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className="button small" disabled={pending}>
        {pending ? busy : label}
      </button>
      <FormOutcome state={state} />
    </form>
  );
}

export function DeletePoolButton({ tenant, pool }: { tenant: string; pool: string }) {
  return <SmallActionForm action={deletePoolFromPage} hidden={{ tenant, pool }} label={`Delete pool ${pool}`} busy="Deleting…" confirm={`Delete pool ${pool} and remove its runners?`} testId={`delete-pool-${pool}`} />;
}

export function RunnerButtons({ tenant, pool, runner, draining }: { tenant: string; pool: string; runner: string; draining: boolean }) {
  return (
    <span className="form-actions">
      {draining ? null : <SmallActionForm action={runnerActionFromPage} hidden={{ tenant, pool, runner, action: "drain" }} label={`Drain ${runner}`} busy="Draining…" testId={`drain-${runner}`} />}
      <SmallActionForm action={runnerActionFromPage} hidden={{ tenant, pool, runner, action: "remove" }} label={`Remove ${runner}`} busy="Removing…" confirm={`Remove runner ${runner}? Its credential stops working; a job it runs is retried when its lease expires.`} testId={`remove-${runner}`} />
    </span>
  );
}

export function SharedPoolSecretsToggle({ tenant, pool, secrets }: { tenant: string; pool: string; secrets: boolean }) {
  return (
    <SmallActionForm
      action={setSharedPoolSecretsFromPage}
      hidden={{ tenant, pool, ...(secrets ? {} : { secrets: "on" }) }}
      label={secrets ? "Stop sending this tenant's secrets here" : "Allow jobs with secrets on this shared pool"}
      busy="Saving…"
      testId={`shared-secrets-${pool}`}
    />
  );
}
