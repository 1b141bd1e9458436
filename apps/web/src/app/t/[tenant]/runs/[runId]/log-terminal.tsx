"use client";
// One job's log in a read-only xterm.js terminal, fed by the live log endpoint (server-sent events): the archive
// first, then each chunk as the runner sends it, until `end`. EventSource reconnects by itself and sends
// Last-Event-ID, so the server resumes after the last chunk shown.
// For people who do not see it: the terminal is a named, focusable region ("Log of job build") whose keys scroll it,
// and xterm's helper textarea (which would be announced as "Terminal input") is read-only and hidden from assistive
// technology, since nothing can be typed. For people who do: the box is as tall as its lines, up to MAX_ROWS, and
// when a step failed it scrolls to that step's heading.
import "@xterm/xterm/css/xterm.css";
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { statusWord } from "@gantry/workflow-schema/status-words";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { logRenderer, MUTED } from "./log-render";
import { fitToContent, MIN_ROWS, parseEvent as parse, scrollByKey, silenceInput, THEME } from "./terminal-setup";
import { LogRegion } from "./log-region";

type State = "connecting" | "live" | "ended" | "failed";

export default function LogTerminal({ url, jobKey, failedStep }: { url: string; jobKey: string; failedStep: number | null }) {
  const host = useRef<HTMLDivElement>(null);
  const terminalRef = useRef<Terminal | null>(null);
  // The reader scrolled (a key, the wheel): the failed step is no longer pulled into view over their choice.
  const readerScrolled = useRef(false);
  const [state, setState] = useState<State>("connecting");
  const [ended, setEnded] = useState("");

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const terminal = new Terminal({ disableStdin: true, convertEol: true, cursorBlink: false, cursorInactiveStyle: "none", scrollback: 100_000, rows: MIN_ROWS, fontSize: 12, theme: THEME });
    terminalRef.current = terminal;
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    silenceInput(element);

    // Columns follow the box's width; rows follow the content, up to MAX_ROWS.
    const fitting = fitToContent(terminal, fit);
    const { size, resizeSoon } = fitting;
    const write = (text: string, then?: () => void) =>
      terminal.write(text, () => {
        resizeSoon();
        then?.();
      });

    let attempt = 0;
    let step = "";
    let render = logRenderer();
    /** The buffer line of the failed step's heading, once written. */
    let failedLine: number | null = null;
    const showFailedStep = (tries: number) =>
      requestAnimationFrame(() => {
        size();
        if (failedLine === null || readerScrolled.current) return;
        const buffer = terminal.buffer.active;
        // Only from the bottom, where xterm puts it back: someone who scrolled elsewhere meanwhile keeps their place.
        if (buffer.viewportY === buffer.baseY && failedLine < buffer.baseY) terminal.scrollToLine(failedLine);
        if (tries > 0) showFailedStep(tries - 1);
      });
    const source = new EventSource(url);
    source.addEventListener("open", () => setState("live"));
    source.addEventListener("attempt", (event) => {
      const next = Number(parse(event).attempt);
      if (next === attempt) return; // a reconnect resumes the attempt on screen
      if (attempt !== 0) terminal.reset();
      attempt = next;
      step = "";
      failedLine = null;
      render = logRenderer();
      write(`${MUTED}attempt ${next}\u001b[0m\r\n`);
    });
    source.addEventListener("step", (event) => {
      const data = parse(event);
      const key = `${String(data.attempt)}:${String(data.index)}`;
      if (key === step) return;
      step = key;
      const index = Number(data.index);
      const name = typeof data.name === "string" ? data.name : `Step ${index + 1}`;
      write(render.step(name), () => {
        // Written with everything before it: the heading is the line above the cursor.
        if (index === failedStep && failedLine === null) failedLine = Math.max(0, terminal.buffer.active.baseY + terminal.buffer.active.cursorY - 1);
      });
    });
    source.addEventListener("log", (event) => {
      const data = parse(event);
      if (typeof data.text === "string") write(render.write(data.text));
    });
    source.addEventListener("end", (event) => {
      source.close();
      setEnded(String(parse(event).status));
      setState("ended");
      // Everything is written: show the failed step from its heading. xterm's viewport takes the new size and lines
      // a frame or two later (and may put the scroll back to the bottom meanwhile), so this holds it for ten frames.
      write("", () => showFailedStep(10));
    });
    source.addEventListener("failure", () => {
      source.close();
      setState("failed");
    });
    return () => {
      source.close();
      fitting.dispose();
      terminalRef.current = null;
      terminal.dispose();
    };
  }, [url, failedStep]);

  // The region scrolls with the keys people expect of a scrolling box.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const terminal = terminalRef.current;
    if (!terminal) return;
    if (!scrollByKey(terminal, event.key)) return;
    event.preventDefault();
    readerScrolled.current = true;
  };

  const ending = ended === "" ? "" : statusWord("job", ended).word;
  return (
    <div className="log-view">
      <LogRegion jobKey={jobKey} state={state} onKeyDown={onKeyDown} onWheel={() => (readerScrolled.current = true)} ref={host} />
      <p className="muted small" data-testid={`log-state-${jobKey}`}>
        {state === "connecting" ? "connecting…" : state === "live" ? "live" : state === "ended" ? `finished: ${ending}` : "the log stream stopped; reload to try again"}
      </p>
    </div>
  );
}
