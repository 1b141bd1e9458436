import { z } from "zod";
import { installationRef, repository, sender, sha } from "./common";

const commit = z.object({
  id: sha,
  added: z.array(z.string()).optional(),
  removed: z.array(z.string()).optional(),
  modified: z.array(z.string()).optional(),
});

/** `push`: a branch or tag moved, was created, or was deleted (`deleted: true`, `after` all zeros). */
export const pushEvent = z.object({
  ref: z.string().startsWith("refs/"),
  before: sha,
  after: sha,
  created: z.boolean(),
  deleted: z.boolean(),
  forced: z.boolean(),
  base_ref: z.string().nullable(),
  commits: z.array(commit),
  head_commit: z.object({ id: sha }).nullable(),
  pusher: z.object({ name: z.string() }),
  repository,
  sender: sender.optional(),
  installation: installationRef.optional(),
});

export type PushEvent = z.infer<typeof pushEvent>;

/** GitHub lists at most 20 commits in a push; with more, the changed files are not all known. */
export const PUSH_COMMITS_LISTED = 20;

/** The files the push changed, when the payload lists them all; undefined otherwise (path filters then pass). */
export function pushChangedPaths(push: PushEvent): string[] | undefined {
  if (push.created || push.forced || push.commits.length === 0 || push.commits.length >= PUSH_COMMITS_LISTED) return undefined;
  const paths = new Set<string>();
  for (const commit of push.commits) {
    if (!commit.added || !commit.removed || !commit.modified) return undefined;
    for (const path of [...commit.added, ...commit.removed, ...commit.modified]) paths.add(path);
  }
  return [...paths].sort();
}
