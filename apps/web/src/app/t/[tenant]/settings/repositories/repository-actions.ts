"use server";
// The repositories page's forms: connect a plain git server and rotate its push secret, through the repositories
// procedures. The secret is answered once, with the hook's git config, to the page that asked.
import { revalidatePath } from "next/cache";
import { callProcedure, submit, text, type FormState } from "../../../../../server/forms/form-state";
import { hookSetup } from "../../../../../server/routers/repositories/notify-secret";
import { connectGitInput } from "../../../../../server/routers/repositories/connectGit.schema";
import { getServices } from "../../../../../server/services";

export interface ShownSecret {
  repository: string;
  secret: string;
  setup: string;
}

export async function connectGitFromPage(_previous: FormState<ShownSecret> | null, data: FormData): Promise<FormState<ShownSecret>> {
  const tenant = text(data, "tenant") ?? "";
  const state = await submit(
    connectGitInput,
    { tenant, name: text(data, "name") ?? "", url: text(data, "url") ?? "", repository: text(data, "repository") ?? "", defaultBranch: text(data, "defaultBranch") },
    async (caller, input) => {
      const connected = await caller.repositories.connectGit(input);
      const setup = hookSetup({ publicUrl: getServices().env.publicUrl, gitSourceId: connected.gitSource.id, repository: connected.repository.fullName, secret: connected.notifySecret });
      return { repository: connected.repository.fullName, secret: connected.notifySecret, setup };
    },
    (result) => `${result.repository} connected.`,
  );
  if (state.ok) revalidatePath(`/t/${tenant}/settings/repositories`);
  return state;
}

export async function syncInstallationFromPage(_previous: FormState | null, data: FormData): Promise<FormState> {
  const tenant = text(data, "tenant") ?? "";
  const installationId = text(data, "installationId") ?? "";
  const state = await callProcedure(
    async (caller) => {
      const synced = await caller.repositories.syncInstallation({ tenant, installationId });
      return `Synced ${synced.account}: ${synced.repositories} repositories reachable; added ${synced.added.join(", ") || "none"}; detached ${synced.removed.join(", ") || "none"}.`;
    },
    (message) => message,
  );
  if (state.ok) revalidatePath(`/t/${tenant}/settings/repositories`);
  return { ok: state.ok, message: state.message, fields: state.fields };
}

export async function rotateGitSecretFromPage(_previous: FormState<ShownSecret> | null, data: FormData): Promise<FormState<ShownSecret>> {
  const tenant = text(data, "tenant") ?? "";
  const gitSourceId = text(data, "gitSourceId") ?? "";
  return callProcedure(
    async (caller) => {
      const rotated = await caller.repositories.rotateGitSecret({ tenant, gitSourceId });
      const repository = rotated.repositories[0]?.fullName ?? "";
      return { repository, secret: rotated.notifySecret, setup: `git config gantry.secret ${rotated.notifySecret}` };
    },
    "New push secret: update the hook's gantry.secret now; pushes signed with the old one are refused.",
  );
}
