"use client";
// One job's log in a read-only xterm.js terminal, fed by the live log endpoint (server-sent events): the archive
// first, then each chunk as the runner sends it, until `end`. EventSource reconnects by itself and sends
// Last-Event-ID, so the server resumes after the last chunk shown.
import "@xterm/xterm/css/xterm.css";
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { useEffect, useRef, useState } from "react";
import { logRenderer } from "./log-render";

type State = "connecting" | "live" | "ended" | "failed";

const parse = (event: Event): Record<string, unknown> => (event instanceof MessageEvent && typeof event.data === "string" ? (JSON.parse(event.data) as Record<string, unknown>) : {});

export default function LogTerminal({ url, jobKey }: { url: string; jobKey: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<State>("connecting");
  const [ended, setEnded] = useState("");

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const terminal = new Terminal({ disableStdin: true, convertEol: true, cursorBlink: false, scrollback: 100_000, fontSize: 12, theme: { background: "#0f172a", foreground: "#e2e8f0" } });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    fit.fit();
    const onResize = () => fit.fit();
    window.addEventListener("resize", onResize);

    let attempt = 0;
    let step = "";
    let render = logRenderer();
    const source = new EventSource(url);
    source.addEventListener("open", () => setState("live"));
    source.addEventListener("attempt", (event) => {
      const next = Number(parse(event).attempt);
      if (next === attempt) return; // a reconnect resumes the attempt on screen
      if (attempt !== 0) terminal.reset();
      attempt = next;
      step = "";
      render = logRenderer();
      terminal.write(`\u001b[2mattempt ${next}\u001b[0m\r\n`);
    });
    source.addEventListener("step", (event) => {
      const data = parse(event);
      const key = `${String(data.attempt)}:${String(data.index)}`;
      if (key === step) return;
      step = key;
      const name = typeof data.name === "string" ? data.name : `Step ${Number(data.index) + 1}`;
      terminal.write(`\u001b[1;36m\u25b6 ${name}\u001b[0m\r\n`);
    });
    source.addEventListener("log", (event) => {
      const data = parse(event);
      if (typeof data.text === "string") terminal.write(render(data.text));
    });
    source.addEventListener("end", (event) => {
      source.close();
      setEnded(String(parse(event).status));
      setState("ended");
    });
    source.addEventListener("failure", () => {
      source.close();
      setState("failed");
    });
    return () => {
      source.close();
      window.removeEventListener("resize", onResize);
      terminal.dispose();
    };
  }, [url]);

  return (
    <div className="log-view">
      <div className="log-box">
        <div className="log-terminal" data-testid={`log-terminal-${jobKey}`} data-state={state} ref={host} />
      </div>
      <p className="muted small" data-testid={`log-state-${jobKey}`}>
        {state === "connecting" ? "connecting…" : state === "live" ? "live" : state === "ended" ? `finished: ${ended.toLowerCase()}` : "the log stream stopped; reload to try again"}
      </p>
    </div>
  );
}
