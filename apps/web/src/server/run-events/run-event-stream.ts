// GET /api/t/<tenant>/runs/events: the tenant's run changes as server-sent events, for the Runs page (and any page
// that shows run statuses). Who may watch is decided by the procedure chain (tenants.list: the caller's memberships,
// with a session or a runs:read API token), asked again every `recheckMs`, so a removed member stops hearing.
//
// Events (docs/web.md "Live run list"):
//   ready    {}                          the stream is live; its id is where the tenant's history stands
//   runs     {changed: [{runId, status}], created}   runs changed status, or a run was created; id: the new position
//   failure  {message}                   the server gave up (e.g. the membership was removed); the stream closes
// and a `: keepalive` comment every heartbeat. Resuming: the browser sends the last id as Last-Event-ID; when the
// tenant has moved since, the first event is `runs` with the changes in between (up to 100), else `ready`.
import { runChangesAfter, runMark, type Database, type RunStatus } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { RequestCaller } from "../api-tokens/request-caller";
import { createCaller } from "../routers/_app";
import { createTRPCContext, type TRPCContext } from "../trpc";
import { parseRunEventCursor, runEventCursor, type RunEvent, type RunEventHub } from "./run-event-hub";
import { serverSentEvents } from "../http/event-stream";

export interface RunEventStreamDeps {
  caller: RequestCaller;
  database: Database;
  redis: TRPCContext["redis"];
  queues: TRPCContext["queues"];
  hub: Pick<RunEventHub, "watch">;
  heartbeatMs?: number;
  /** How often the caller's membership is asked again. */
  recheckMs?: number;
}

const RESUME_CHANGES = 100;

const refuse = (status: number, message: string) => Response.json({ error: message }, { status });

export async function handleRunEvents(request: Request, tenant: string, deps: RunEventStreamDeps): Promise<Response> {
  const trpc = createCaller(createTRPCContext({ ...deps.caller, database: deps.database, redis: deps.redis, queues: deps.queues }));
  /** The tenant's id when the caller is still one of its members; throws the procedure's refusal otherwise. */
  const membership = async () => {
    const found = (await trpc.tenants.list()).find((candidate) => candidate.slug === tenant);
    // The same words as every tenant procedure: no probing for tenant names.
    if (!found) throw new TRPCError({ code: "FORBIDDEN", message: `You are not a member of tenant '${tenant}'.` });
    return found.id;
  };
  let tenantId: string;
  try {
    tenantId = await membership();
  } catch (error) {
    if (error instanceof TRPCError) return refuse(getHTTPStatusCodeFromError(error), error.message);
    throw error;
  }

  return serverSentEvents(request, deps.heartbeatMs ?? 15_000, async ({ send, fail, every, onClose, closed }) => {
    // Events that arrive before the resume below is sent wait for it, so their order holds.
    const queued: RunEvent[] = [];
    let live = false;
    // Job changes are the run page's (run-page-stream.ts): this page hears of runs only.
    const sendRuns = (event: RunEvent) => {
      if (event.changed.length > 0 || event.created) send("runs", { changed: event.changed, created: event.created }, event.cursor);
    };
    const watching = await deps.hub.watch(tenantId, (event) => (live ? sendRuns(event) : queued.push(event)));
    onClose(watching.stop);
    if (closed.aborted) return;
    const resumeFrom = parseRunEventCursor(request.headers.get("last-event-id"));
    const now = watching.mark;
    if (resumeFrom && (resumeFrom.transitionId !== now.transitionId || resumeFrom.newestRunId !== now.newestRunId)) {
      const scoped = deps.database.forTenant({ tenantId, actor: { kind: "SYSTEM", id: "run-events" } });
      const missed = await runChangesAfter(scoped, resumeFrom.transitionId, RESUME_CHANGES);
      const changed: { runId: string; status: RunStatus }[] = missed.map((change) => ({ runId: change.runId, status: change.status }));
      const created = (await runMark(scoped)).newestRunId !== resumeFrom.newestRunId;
      // The mark also moves with job changes, which this stream does not send.
      if (changed.length > 0 || created) send("runs", { changed, created }, runEventCursor(now));
      else send("ready", {}, runEventCursor(now));
    } else {
      send("ready", {}, runEventCursor(now));
    }
    live = true;
    for (const event of queued) sendRuns(event);
    every(deps.recheckMs ?? 60_000, () => {
      membership().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
    });
  });
}
