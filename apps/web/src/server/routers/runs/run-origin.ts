// Who and what started a run, for the run page's header: read from the stored delivery that started it (GitHub's
// payload, or a plain-git push notification). Runs keep only the sha and ref; the commit message, the actor and the
// repository's web address are the event's. Every field is optional in the payload: a missing one is null.
import type { Database } from "@gantry/db";
import { z } from "zod";

const payloadFacts = z.object({
  sender: z.object({ login: z.string() }).nullish().catch(null),
  /** Plain-git push notifications name who pushed (packages/jobs git-push.ts). */
  pusher: z.union([z.string(), z.object({ name: z.string() })]).nullish().catch(null),
  head_commit: z.object({ message: z.string() }).nullish().catch(null),
  pull_request: z.object({ title: z.string() }).nullish().catch(null),
  repository: z.object({ html_url: z.string().url() }).nullish().catch(null),
});

export interface RunOrigin {
  /** Who caused the event (GitHub's sender, the plain-git pusher); null when the event does not say. */
  actor: string | null;
  /** The head commit's message (a push), or the pull request's title; null when the event does not carry one. */
  commitMessage: string | null;
  /** The repository's web page (GitHub's html_url), under which a file at a commit has an address; null: none. */
  repositoryUrl: string | null;
}

const NONE: RunOrigin = { actor: null, commitMessage: null, repositoryUrl: null };

export async function runOrigin(database: Database, tenantId: string, deliveryId: string | null): Promise<RunOrigin> {
  if (deliveryId === null) return NONE;
  const delivery = await database
    .system("runs.get: the delivery that started the run (filtered by the run's tenant)")
    .webhookDelivery.findFirst({ where: { id: deliveryId, tenantId }, select: { payload: true } });
  const parsed = payloadFacts.safeParse(delivery?.payload);
  if (!parsed.success) return NONE;
  const { sender, pusher, head_commit, pull_request, repository } = parsed.data;
  // Only a web address becomes a link (a payload is the sender's words: no javascript: URLs).
  const web = repository && /^https?:\/\//.test(repository.html_url) ? repository.html_url.replace(/\/$/, "") : null;
  return {
    actor: sender?.login ?? (typeof pusher === "string" ? pusher : (pusher?.name ?? null)),
    commitMessage: head_commit?.message ?? pull_request?.title ?? null,
    repositoryUrl: web,
  };
}
