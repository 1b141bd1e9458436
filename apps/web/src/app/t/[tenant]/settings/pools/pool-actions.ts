"use server";
// The pools page's forms, through the runners procedures (their schemas validate, their role check and audit
// apply). A new pool's registration token is answered once, to the page that created it.
import { revalidatePath } from "next/cache";
import { callProcedure, list, numberOf, submit, text, type FormState } from "../../../../../server/forms/form-state";
import { createPoolInput } from "../../../../../server/routers/runners/createPool.schema";
import { updatePoolInput } from "../../../../../server/routers/runners/updatePool.schema";

const tenantOf = (data: FormData) => text(data, "tenant") ?? "";

/** The pool fields as the form sends them; blank limits stay unset (the defaults, or unchanged on edit). */
function poolFieldsOf(data: FormData) {
  const egress = text(data, "egress");
  return {
    labels: list(data, "labels"),
    provider: text(data, "provider"),
    cpus: numberOf(data, "cpus"),
    memoryBytes: gibToBytes(text(data, "memoryGiB")),
    pids: numberOf(data, "pids"),
    diskBytes: gibToBytes(text(data, "diskGiB")),
    maxTimeoutMinutes: numberOf(data, "maxTimeoutMinutes"),
    egress,
    egressAllowlist: egress === "allowlist" ? list(data, "egressAllowlist") : [],
  };
}

/** The form asks in GiB (people think in them); the procedure takes bytes. Not a number: passed on for the schema to refuse. */
function gibToBytes(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const gib = Number(value);
  return Number.isFinite(gib) ? Math.round(gib * 1024 ** 3) : value;
}

/** The procedure's field names → the form's (byte counts are asked in GiB). */
function formFields<R>(state: FormState<R>): FormState<R> {
  const fields = { ...state.fields };
  if (fields.memoryBytes) fields.memoryGiB = fields.memoryBytes;
  if (fields.diskBytes) fields.diskGiB = fields.diskBytes;
  return { ...state, fields };
}

export async function createPoolFromPage(_previous: FormState<{ name: string; token: string }> | null, data: FormData): Promise<FormState<{ name: string; token: string }>> {
  const tenant = tenantOf(data);
  const state = await submit(
    createPoolInput,
    { tenant, name: text(data, "name") ?? "", ...poolFieldsOf(data) },
    async (caller, input) => {
      const created = await caller.runners.createPool(input);
      return { name: created.pool.name, token: created.registrationToken };
    },
    (result) => `Pool ${result.name} created.`,
  );
  if (state.ok) revalidatePath(`/t/${tenant}/settings/pools`);
  return formFields(state);
}

export async function updatePoolFromPage(_previous: FormState<{ changed: string[] }> | null, data: FormData): Promise<FormState<{ changed: string[] }>> {
  const tenant = tenantOf(data);
  const state = await submit(
    updatePoolInput,
    { tenant, pool: text(data, "pool") ?? "", ...poolFieldsOf(data) },
    async (caller, input) => ({ changed: (await caller.runners.updatePool(input)).changed }),
    (result) => (result.changed.length === 0 ? "Nothing changed." : `Saved: ${result.changed.join(", ")}.`),
  );
  if (state.ok) revalidatePath(`/t/${tenant}/settings/pools`);
  return formFields(state);
}

export async function deletePoolFromPage(_previous: FormState | null, data: FormData): Promise<FormState> {
  const tenant = tenantOf(data);
  const pool = text(data, "pool") ?? "";
  const state = await callProcedure(async (caller) => void (await caller.runners.deletePool({ tenant, pool })), `Pool ${pool} deleted.`);
  if (state.ok) revalidatePath(`/t/${tenant}/settings/pools`);
  return state;
}

export async function runnerActionFromPage(_previous: FormState | null, data: FormData): Promise<FormState> {
  const tenant = tenantOf(data);
  const input = { tenant, pool: text(data, "pool") ?? "", runner: text(data, "runner") ?? "" };
  const state =
    text(data, "action") === "remove"
      ? await callProcedure(async (caller) => void (await caller.runners.removeRunner(input)), `Runner ${input.runner} removed.`)
      : await callProcedure(async (caller) => void (await caller.runners.drainRunner(input)), `Runner ${input.runner} is draining: it finishes its job and takes no new one.`);
  if (state.ok) revalidatePath(`/t/${tenant}/settings/pools`);
  return state;
}

export async function setSharedPoolSecretsFromPage(_previous: FormState | null, data: FormData): Promise<FormState> {
  const tenant = tenantOf(data);
  const pool = text(data, "pool") ?? "";
  const secrets = text(data, "secrets") === "on";
  const state = await callProcedure(async (caller) => void (await caller.runners.setSharedPoolSecrets({ tenant, pool, secrets })), secrets ? `Jobs that use secrets may now run on ${pool}.` : `Jobs that use secrets no longer run on ${pool}.`);
  if (state.ok) revalidatePath(`/t/${tenant}/settings/pools`);
  return state;
}
