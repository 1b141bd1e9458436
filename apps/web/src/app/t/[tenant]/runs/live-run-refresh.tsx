"use client";
// Keeps the Runs page current without reloading: it listens to the tenant's run events (server-sent, resumable:
// EventSource reconnects by itself and sends the last id) and re-renders the page's server components when a run
// changes status or appears — at most once a second, however busy the tenant. The filters, the cursor and what is
// typed in the form stay as they are.
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { throttledRefresh } from "../../../../components/throttled-refresh";

const MIN_REFRESH_MS = 1_000;

type LiveState = "connecting" | "live" | "reconnecting" | "stopped";

const WORDS: Record<LiveState, string> = {
  connecting: "Connecting to live updates…",
  live: "Live: status changes appear as they happen.",
  reconnecting: "Live updates interrupted; reconnecting…",
  stopped: "Live updates stopped; reload the page to see changes.",
};

export function LiveRunRefresh({ tenant }: { tenant: string }) {
  const router = useRouter();
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    const source = new EventSource(`/api/t/${encodeURIComponent(tenant)}/runs/events`);
    const { refresh, cancel } = throttledRefresh(router, MIN_REFRESH_MS);
    source.addEventListener("ready", () => setState("live"));
    source.addEventListener("runs", () => {
      setState("live");
      refresh();
    });
    source.addEventListener("failure", () => {
      setState("stopped");
      source.close();
    });
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "stopped" : "reconnecting");
    return () => {
      source.close();
      cancel();
    };
  }, [tenant, router]);
  return (
    <p className="muted small" data-testid="live-status" data-state={state}>
      {WORDS[state]}
    </p>
  );
}
