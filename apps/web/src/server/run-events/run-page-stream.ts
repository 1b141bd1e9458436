// GET /api/t/<tenant>/runs/<runId>/events: one run's live state as server-sent events, for its run page (job
// statuses, durations, the conclusion, new attempts). It rides the process's RunEventHub (one Redis subscriber for
// every watcher; the hub reads the tenant's run and job transitions once per ring) and, when a change names this run
// or one of its jobs, reads the run again through the procedure chain (runs.get: the caller's membership and the
// tenant scoping are the chain's, so another tenant's run is NOT_FOUND here as everywhere).
//
// Events (docs/web.md "Live run page"):
//   run      LiveRunState                  the run as it is now (runs.get's shape); id: the tenant's position
//   ready    {}                            resumed and nothing changed since Last-Event-ID
//   failure  {message}                     the server gave up (e.g. the membership was removed); the stream closes
// and a `: keepalive` comment every heartbeat. Without Last-Event-ID the first event is `run` (what changed between the
// page's render and the connection is in it); with one, `run` only if the run or a job changed after it, else `ready`.
import { runChangedAfter, type Database } from "@gantry/db";
import type { FairScheduler } from "@gantry/scheduler";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { RequestCaller } from "../api-tokens/request-caller";
import { serverSentEvents } from "../http/event-stream";
import { createCaller } from "../routers/_app";
import { createTRPCContext, type TRPCContext } from "../trpc";
import { liveRunState } from "./live-run-state";
import { parseRunEventCursor, runEventCursor, type RunEvent, type RunEventHub } from "./run-event-hub";

export interface RunPageStreamDeps {
  caller: RequestCaller;
  database: Database;
  redis: TRPCContext["redis"];
  queues: TRPCContext["queues"];
  /** Read by runs.get to say why a job waits. */
  scheduler?: FairScheduler;
  hub: Pick<RunEventHub, "watch">;
  heartbeatMs?: number;
  /** How often the caller's access is asked again when nothing changes. */
  recheckMs?: number;
}

const refuse = (status: number, message: string) => Response.json({ error: message }, { status });

export async function handleRunPageEvents(request: Request, tenant: string, runId: string, deps: RunPageStreamDeps): Promise<Response> {
  const trpc = createCaller(createTRPCContext({ ...deps.caller, database: deps.database, redis: deps.redis, queues: deps.queues, ...(deps.scheduler ? { scheduler: deps.scheduler } : {}) }));
  /** The run now, if the caller may still read it; throws the chain's refusal otherwise. */
  const readRun = async () => liveRunState(await trpc.runs.get({ tenant, runId }));
  let tenantId: string;
  try {
    await readRun();
    // runs.get answered, so the caller is a member: the tenant's id for the hub.
    const found = (await trpc.tenants.list()).find((candidate) => candidate.slug === tenant);
    if (!found) throw new TRPCError({ code: "FORBIDDEN", message: `You are not a member of tenant '${tenant}'.` });
    tenantId = found.id;
  } catch (error) {
    if (error instanceof TRPCError) return refuse(getHTTPStatusCodeFromError(error), error.message);
    throw error;
  }

  return serverSentEvents(request, deps.heartbeatMs ?? 15_000, async ({ send, fail, every, onClose, closed }) => {
    // One read at a time; changes during a read make one more, sent with the newest position.
    let reading = false;
    let again: string | null = null;
    const sendRun = (cursor: string) => {
      again = cursor;
      if (reading) return;
      reading = true;
      void (async () => {
        while (again !== null && !closed.aborted) {
          const position: string = again;
          again = null;
          send("run", await readRun(), position);
        }
      })()
        .catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)))
        .finally(() => {
          reading = false;
          // A change announced between the loop's last look and now.
          if (again !== null && !closed.aborted) sendRun(again);
        });
    };
    const concernsThisRun = (event: RunEvent) => event.changed.some((change) => change.runId === runId) || event.jobs.some((change) => change.runId === runId);
    let live = false;
    let missed: string | null = null;
    const watching = await deps.hub.watch(tenantId, (event) => {
      if (!concernsThisRun(event)) return;
      if (live) sendRun(event.cursor);
      else missed = event.cursor;
    });
    onClose(watching.stop);
    if (closed.aborted) return;
    const now = runEventCursor(watching.mark);
    const resumeFrom = parseRunEventCursor(request.headers.get("last-event-id"));
    const scoped = deps.database.forTenant({ tenantId, actor: { kind: "SYSTEM", id: "run-events" } });
    live = true;
    if (missed !== null) sendRun(missed);
    else if (resumeFrom === null || (await runChangedAfter(scoped, runId, resumeFrom.transitionId))) sendRun(now);
    else send("ready", {}, now);
    every(deps.recheckMs ?? 60_000, () => {
      readRun().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
    });
  });
}
