// A run's `github.event` (and the runner's GITHUB_EVENT_PATH file): the payload of the delivery that started it,
// in GitHub's shape — GitHub's own webhook payload as received (or one Gantry made: workflow_run, repository_dispatch), our push notification as a push event, a manual
// run as a workflow_dispatch event, a scheduled run as `{ schedule: <cron> }`. Reconciled runs get {}.
import type { Database } from "@gantry/db";
import { cronOfScheduledRun, gitPushPayload, workflowDispatchPayload } from "@gantry/jobs";
import { z } from "zod";
import { recentEvents } from "./recent-events";

const ZERO_SHA = "0".repeat(40);
/** A push of thousands of commits makes a payload of many megabytes; past this its `commits` list is left out. */
export const MAX_EVENT_BYTES = 4 * 1024 * 1024;
const jsonObject = z.record(z.string(), z.unknown());

export interface RunForEvent {
  tenantId: string;
  deliveryId: string | null;
  event: string;
  /** A scheduled run's key holds the cron that fired it. */
  idempotencyKey?: string;
}

function repositoryObject(fullName: string) {
  const [owner = "", name = ""] = fullName.split("/");
  return { full_name: fullName, name, owner: { login: owner, name: owner } };
}

function capped(payload: Record<string, unknown>): Record<string, unknown> {
  if (JSON.stringify(payload).length <= MAX_EVENT_BYTES) return payload;
  const { commits: _dropped, ...rest } = payload;
  return JSON.stringify(rest).length <= MAX_EVENT_BYTES ? rest : {};
}

export async function runEventPayload(database: Database, run: RunForEvent, repositoryFullName: string): Promise<Record<string, unknown>> {
  // A scheduled run's event is the cron that fired it, as on GitHub.
  const cron = run.event === "schedule" && run.idempotencyKey ? cronOfScheduledRun(run.idempotencyKey) : undefined;
  if (cron) return { schedule: cron };
  const { deliveryId } = run;
  if (!deliveryId) return {};
  return recentEvents(database).get(`${run.tenantId} ${deliveryId} ${repositoryFullName}`, () => deliveryEvent(database, run, deliveryId, repositoryFullName));
}

async function deliveryEvent(database: Database, run: RunForEvent, deliveryId: string, repositoryFullName: string): Promise<Record<string, unknown>> {
  const delivery = await database
    .system("the delivery that started the run is its github.event")
    .webhookDelivery.findUnique({ where: { id: deliveryId }, select: { source: true, tenantId: true, payload: true } });
  // A delivery of another tenant is never another tenant's event.
  if (!delivery || (delivery.tenantId !== null && delivery.tenantId !== run.tenantId)) return {};
  // GitHub's payload as received, or an event Gantry made in GitHub's shape (workflow_run, repository_dispatch).
  if (delivery.source === "github" || delivery.source === "gantry") {
    const payload = jsonObject.safeParse(delivery.payload);
    return payload.success ? capped(payload.data) : {};
  }
  const repository = repositoryObject(repositoryFullName);
  if (delivery.source === "git") {
    const push = gitPushPayload.safeParse(delivery.payload);
    if (!push.success) return {};
    const pusher = push.data.pusher ?? "";
    return { ref: push.data.ref, before: push.data.before, after: push.data.after, created: push.data.before === ZERO_SHA, deleted: push.data.after === ZERO_SHA, repository, pusher: { name: pusher }, sender: { login: pusher } };
  }
  const dispatch = workflowDispatchPayload.safeParse(delivery.payload);
  if (!dispatch.success) return {};
  return {
    // GitHub gives a manual run's inputs as strings here (the `inputs` context keeps their types).
    inputs: Object.fromEntries(Object.entries(dispatch.data.inputs).map(([name, value]) => [name, String(value)])),
    ref: dispatch.data.ref,
    workflow: dispatch.data.workflowPath,
    repository,
    sender: { login: dispatch.data.actor },
  };
}
