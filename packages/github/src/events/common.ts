// Pieces every webhook payload shares. Objects keep only the fields Gantry reads; the stored delivery keeps the rest.
import { z } from "zod";

export const sha = z.string().regex(/^[0-9a-f]{40}$/, "expected a 40-character commit sha");
export const githubId = z.number().int().positive();

export const account = z.object({ id: githubId, login: z.string().min(1), type: z.string() });

export const repository = z.object({
  id: githubId,
  name: z.string(),
  full_name: z.string().regex(/^[^/]+\/[^/]+$/, "expected owner/name"),
  private: z.boolean(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string().optional(),
  archived: z.boolean().optional(),
  fork: z.boolean().optional(),
});

/** A repository as the installation events list it (no owner object). */
export const installationRepository = z.object({ id: githubId, name: z.string(), full_name: z.string(), private: z.boolean() });

/** The installation a delivery came through: present on every App delivery. */
export const installationRef = z.object({ id: githubId });

export const sender = z.object({ login: z.string(), id: z.number().int(), type: z.string() });

export type GithubRepository = z.infer<typeof repository>;
export type GithubInstallationRepository = z.infer<typeof installationRepository>;
