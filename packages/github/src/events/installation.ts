import { z } from "zod";
import { account, githubId, installationRepository, sender } from "./common";

const installation = z.object({
  id: githubId,
  account,
  app_id: z.number().int().optional(),
  repository_selection: z.enum(["all", "selected"]).optional(),
  suspended_at: z.string().nullable().optional(),
});

/** `installation`: the App was installed, removed, suspended, unsuspended, or its permissions changed. */
export const installationEvent = z.object({
  action: z.enum(["created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"]),
  installation,
  repositories: z.array(installationRepository).optional(),
  sender: sender.optional(),
});

/** `installation_repositories`: repositories were added to or removed from an installation. */
export const installationRepositoriesEvent = z.object({
  action: z.enum(["added", "removed"]),
  installation,
  repository_selection: z.enum(["all", "selected"]),
  repositories_added: z.array(installationRepository),
  repositories_removed: z.array(installationRepository.partial({ name: true, private: true })),
  sender: sender.optional(),
});

export type InstallationEvent = z.infer<typeof installationEvent>;
export type InstallationRepositoriesEvent = z.infer<typeof installationRepositoriesEvent>;
