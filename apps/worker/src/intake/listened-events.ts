// Which events the workflows at one commit listen to, remembered per worker process: a repository whose CI also
// runs elsewhere gets many events no Gantry workflow takes (every check_run of another App, every issue comment),
// and reading all its workflow files through GitHub's API for each would spend the installation's rate limit.
// Keyed by the commit, which never changes, so a remembered answer is never stale; bounded, oldest dropped first.
import type { WorkflowPlan } from "@gantry/workflow-schema";

const MAX_COMMITS = 2_000;
const listened = new Map<string, ReadonlySet<string>>();

/** `folders`: the workflow folders read (a repository setting), part of what the answer depends on. */
const keyOf = (repositoryId: string, folders: string, sha: string) => `${repositoryId}\u0000${folders}\u0000${sha}`;

/** The events the valid workflows at the commit name, or undefined when this worker has not read them. */
export function listenedEvents(repositoryId: string, folders: string, sha: string): ReadonlySet<string> | undefined {
  return listened.get(keyOf(repositoryId, folders, sha));
}

/** Remembers what the workflows at the commit listen to (all of its files, as compiled by one intake). */
export function rememberListenedEvents(repositoryId: string, folders: string, sha: string, compiled: readonly { plan?: WorkflowPlan | undefined }[]): void {
  const events = new Set(compiled.flatMap((file) => file.plan?.triggers.map((trigger) => trigger.event) ?? []));
  if (listened.size >= MAX_COMMITS) {
    const oldest = listened.keys().next();
    if (!oldest.done) listened.delete(oldest.value);
  }
  listened.set(keyOf(repositoryId, folders, sha), events);
}
