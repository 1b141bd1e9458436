"use server";
// The secrets page's forms: through the same tRPC procedures (and admin check) as the API. A value is sent once
// and never shown again.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { callFromPage, type PageCaller } from "../call-from-page";

const scopeOf = (repository: string) => (repository ? { kind: "repository" as const, repository } : { kind: "tenant" as const });
const setForm = z.object({ tenant: z.string(), repository: z.string().default(""), name: z.string(), value: z.string() });
const deleteForm = z.object({ tenant: z.string(), repository: z.string().default(""), name: z.string() });

async function asCaller<T>(run: (caller: PageCaller) => Promise<T>): Promise<string | null> {
  const result = await callFromPage(run);
  return result.ok ? null : result.error;
}

export async function setSecretFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const parsed = setForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  const { tenant, repository, name, value } = parsed.data;
  const error = await asCaller((caller) => caller.secrets.set({ tenant, scope: scopeOf(repository), name, value }));
  if (!error) revalidatePath(`/t/${tenant}/secrets`);
  return error;
}

export async function deleteSecretFromPage(_previous: string | null, data: FormData): Promise<string | null> {
  const parsed = deleteForm.safeParse(Object.fromEntries(data));
  if (!parsed.success) return "The form was incomplete.";
  const { tenant, repository, name } = parsed.data;
  const error = await asCaller((caller) => caller.secrets.delete({ tenant, scope: scopeOf(repository), name }));
  if (!error) revalidatePath(`/t/${tenant}/secrets`);
  return error;
}
