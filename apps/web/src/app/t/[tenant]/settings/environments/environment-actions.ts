"use server";
// The environments page's forms, through the environments procedures (maintainer or admin).
import { revalidatePath } from "next/cache";
import { callProcedure, list, numberOf, submit, text, type FormState } from "../../../../../server/forms/form-state";
import { createEnvironmentInput } from "../../../../../server/routers/environments/create.schema";
import { setProtectionInput } from "../../../../../server/routers/environments/setProtection.schema";

export async function createEnvironmentFromPage(_previous: FormState | null, data: FormData): Promise<FormState> {
  const tenant = text(data, "tenant") ?? "";
  const state = await submit(createEnvironmentInput, { tenant, repositoryId: text(data, "repositoryId") ?? "", name: text(data, "name") ?? "" }, async (caller, input) => void (await caller.environments.create(input)), "Environment created: add its protection rules below.");
  if (state.ok) revalidatePath(`/t/${tenant}/settings/environments`);
  return state;
}

/**
 * The whole protection form at once: each rule set from its fields, or removed (null) when they are empty —
 * no reviewer or role ticked (and one approval, self-review allowed), no wait, no pattern.
 */
export async function setProtectionFromPage(_previous: FormState | null, data: FormData): Promise<FormState> {
  const tenant = text(data, "tenant") ?? "";
  const reviewers = data.getAll("reviewers").filter((value): value is string => typeof value === "string");
  const wait = numberOf(data, "waitMinutes");
  const branches = list(data, "branches");
  const tags = list(data, "tags");
  const expires = numberOf(data, "expiresInMinutes");
  const reviewerRoles = data.getAll("reviewerRoles").filter((value): value is string => typeof value === "string");
  const requiredApprovals = numberOf(data, "requiredApprovals");
  const preventSelfReview = data.get("preventSelfReview") === "on";
  // Asking for more than one approval, or for no self-review, with nobody ticked is a mistake to show, not a removal.
  const reviewRule = reviewers.length + reviewerRoles.length > 0 || (requiredApprovals !== undefined && requiredApprovals !== 1) || preventSelfReview;
  const state = await submit(
    setProtectionInput,
    {
      tenant,
      environmentId: text(data, "environmentId") ?? "",
      requiredReviewers: reviewRule
        ? { reviewers, reviewerRoles, preventSelfReview, ...(requiredApprovals === undefined ? {} : { requiredApprovals }), ...(expires === undefined ? {} : { expiresInMinutes: expires }) }
        : null,
      waitTimer: wait === undefined || wait === 0 ? null : { minutes: wait },
      branchPolicy: branches.length + tags.length > 0 ? { branches, tags } : null,
    },
    async (caller, input) => void (await caller.environments.setProtection(input)),
    "Protection rules saved.",
  );
  if (state.ok) revalidatePath(`/t/${tenant}/settings/environments`);
  return state;
}

export async function deleteEnvironmentFromPage(_previous: FormState | null, data: FormData): Promise<FormState> {
  const tenant = text(data, "tenant") ?? "";
  const environmentId = text(data, "environmentId") ?? "";
  const state = await callProcedure(async (caller) => void (await caller.environments.delete({ tenant, environmentId })), "Environment deleted.");
  if (state.ok) revalidatePath(`/t/${tenant}/settings/environments`);
  return state;
}
