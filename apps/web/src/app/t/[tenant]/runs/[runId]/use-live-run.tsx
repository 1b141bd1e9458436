"use client";
// The run page's live state: ONE EventSource per page (the run's event stream, resumable: EventSource reconnects by
// itself with the last id as Last-Event-ID), shared through a context, so the header, the jobs table and the job graph
// read the same `jobs` (runs.get's shape) and update together without reload. What is rendered on the server only
// (the log sections, the deployment reviews) is re-rendered with router.refresh() when a job starts or the run moves
// to another attempt or ends, at most once a second.
import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { throttledRefresh } from "../../../../../components/throttled-refresh";
import type { LiveRunState } from "../../../../../server/run-events/live-run-state";

export type { LiveJob, LiveRunState } from "../../../../../server/run-events/live-run-state";

export type LiveConnection = "connecting" | "live" | "reconnecting" | "stopped";

export interface LiveRun {
  run: LiveRunState;
  connection: LiveConnection;
}

const LiveRunContext = createContext<LiveRun | null>(null);

const MIN_REFRESH_MS = 1_000;

// @gantry/db's isTerminalRunStatus, without bringing the database client into the browser's bundle.
const ENDED: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"]);

/** Whether a run or job status is a conclusion. */
export const hasEnded = (status: string) => ENDED.has(status);

/** What the server-rendered parts show: when it moves, they are rendered again. */
function serverShape(run: LiveRunState): string {
  // The log sections list started jobs with their status; a started or finished job changes them.
  const started = run.jobs.filter((job) => job.attempt > 0).map((job) => `${job.key}@${job.attempt}:${hasEnded(job.status)}`);
  const terminal = hasEnded(run.status);
  const reviewed = run.jobs.filter((job) => job.waiting?.reason.kind === "approval").map((job) => job.key);
  return JSON.stringify([run.runAttempt, terminal, started, reviewed]);
}

/** Opens the run's event stream and keeps its latest state; `initial` is what the page was rendered with. */
export function useLiveRunStream(tenant: string, initial: LiveRunState): LiveRun {
  const router = useRouter();
  const [run, setRun] = useState(initial);
  const [connection, setConnection] = useState<LiveConnection>("connecting");
  // A server re-render (router.refresh, a server action) brings a newer rendering: start from it.
  const [rendered, setRendered] = useState(initial);
  if (rendered !== initial) {
    setRendered(initial);
    setRun(initial);
  }
  // The server-rendered parts' shape as last rendered; an event that moves it asks for a new rendering.
  const renderedShape = useRef(serverShape(initial));
  useEffect(() => {
    renderedShape.current = serverShape(initial);
  }, [initial]);
  const runId = initial.id;
  useEffect(() => {
    const source = new EventSource(`/api/t/${encodeURIComponent(tenant)}/runs/${encodeURIComponent(runId)}/events`);
    const server = throttledRefresh(router, MIN_REFRESH_MS);
    source.addEventListener("ready", () => setConnection("live"));
    source.addEventListener("run", (event: MessageEvent<string>) => {
      const next = JSON.parse(event.data) as LiveRunState;
      setConnection("live");
      setRun(next);
      const shape = serverShape(next);
      if (shape !== renderedShape.current) {
        renderedShape.current = shape;
        server.refresh();
      }
    });
    source.addEventListener("failure", () => {
      setConnection("stopped");
      source.close();
    });
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? "stopped" : "reconnecting");
    return () => {
      source.close();
      server.cancel();
    };
  }, [tenant, runId, router]);
  return { run, connection };
}

/** Holds the page's one stream; everything under it reads the live run with useLiveRun(). */
export function LiveRunProvider({ tenant, initial, children }: { tenant: string; initial: LiveRunState; children: ReactNode }) {
  const live = useLiveRunStream(tenant, initial);
  return <LiveRunContext.Provider value={live}>{children}</LiveRunContext.Provider>;
}

/** The live run (status, times, attempts, `jobs` in runs.get's shape) of the LiveRunProvider above. */
export function useLiveRun(): LiveRun {
  const live = useContext(LiveRunContext);
  if (!live) throw new Error("useLiveRun() is used outside the run page's LiveRunProvider");
  return live;
}
