"use client";
// The job page's log: one attempt in a read-only xterm.js terminal, fed by the live log stream pinned to that attempt
// (`?follow=0`). Unlike the run page's terminal it keeps the log as addressed lines (log-document.ts) and writes
// only what is unfolded: a step's heading or a group's title folds it (a click on it, or the step list's buttons);
// search (the search addon) looks in folded lines too by opening what hides a match; "Jump to the first error";
// a clicked line (or the current match) gets a permalink `?attempt=N#step-N-line-M` that, opened, scrolls to and
// highlights that line. xterm.js is a linear buffer, so folding rewrites the buffer from the document.
import "@xterm/xterm/css/xterm.css";
import { FitAddon } from "@xterm/addon-fit";
import { SearchAddon } from "@xterm/addon-search";
import { Terminal, type IDecoration } from "@xterm/xterm";
import { statusWord } from "@gantry/workflow-schema/status-words";
import { useEffect, useRef, useState, type KeyboardEvent, type MutableRefObject } from "react";
import { fitToContent, MIN_ROWS, parseEvent, scrollByKey, silenceInput, THEME } from "../../terminal-setup";
import { LogRegion } from "../../log-region";
import {
  displayLine,
  findAnchoredLine,
  firstErrorLine,
  foldsHiding,
  foldsHidingMatches,
  groupFold,
  initialFolds,
  isShown,
  lineAnchor,
  LogDocument,
  parseLineAnchor,
  stepFold,
  type LogLine,
} from "./log-document";

/** What the step list asks of the log. */
export interface LogViewerControls {
  toggleStep(index: number): void;
}

export interface LogViewerProps {
  url: string;
  rawUrl: string;
  jobKey: string;
  attempt: number;
  failedStep: number | null;
  /** The attempt's status when the page was read: said when the stream ends without one (a later attempt began). */
  attemptStatus: string;
  controls: MutableRefObject<LogViewerControls | null>;
  onFoldedSteps(steps: number[]): void;
}

/** `superseded`: the attempt was still running when the page was read, and a later one began meanwhile. */
type State = "connecting" | "live" | "ended" | "superseded" | "failed";
const ACTIVE_ATTEMPT = new Set(["ASSIGNED", "RUNNING"]);
/** `typed`: the term changed (stay on a match that still fits); `next`/`previous`: move to another match. */
type Direction = "typed" | "next" | "previous";

// Search matches and the highlighted line: backgrounds dark enough for the light text on them (WCAG AA).
const MATCHES = { matchBackground: "#78350f", activeMatchBackground: "#1d4ed8", matchOverviewRuler: "#b45309", activeMatchColorOverviewRuler: "#1d4ed8" };
const HIGHLIGHT = "#4c1d95";

/** The buffer row where display line `shown` starts (long lines wrap over several rows); -1 past the end. */
function bufferRowOf(terminal: Terminal, shown: number): number {
  const buffer = terminal.buffer.active;
  let count = -1;
  for (let y = 0; y < buffer.length; y++) {
    if (!buffer.getLine(y)?.isWrapped) count += 1;
    if (count === shown) return y;
  }
  return -1;
}

/** The display line buffer row `row` belongs to. */
function shownAt(terminal: Terminal, row: number): number {
  const buffer = terminal.buffer.active;
  let count = -1;
  for (let y = 0; y <= row && y < buffer.length; y++) if (!buffer.getLine(y)?.isWrapped) count += 1;
  return count;
}

export default function JobLogViewer({ url, rawUrl, jobKey, attempt, failedStep, attemptStatus, controls, onFoldedSteps }: LogViewerProps) {
  const host = useRef<HTMLDivElement>(null);
  // What the effect's terminal exposes to the toolbar's handlers.
  const api = useRef<{ find(direction: Direction): void; jumpToError(): void; foldGroups(fold: boolean): void; scroll(key: string): boolean } | null>(null);
  const term = useRef("");
  const [state, setState] = useState<State>("connecting");
  const [ended, setEnded] = useState("");
  const [selected, setSelected] = useState<{ anchor: string; step: number | null; line: number } | null>(null);
  const [results, setResults] = useState<{ index: number; count: number } | null>(null);
  const [hasError, setHasError] = useState(false);
  const [hasGroups, setHasGroups] = useState(false);
  const [copied, setCopied] = useState("");

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const terminal = new Terminal({ disableStdin: true, convertEol: true, cursorBlink: false, cursorInactiveStyle: "none", scrollback: 200_000, rows: MIN_ROWS, fontSize: 12, theme: THEME, allowProposedApi: true });
    const fit = new FitAddon();
    const search = new SearchAddon();
    terminal.loadAddon(fit);
    terminal.loadAddon(search);
    terminal.open(element);
    silenceInput(element);
    search.onDidChangeResults(({ resultIndex, resultCount }) => setResults(term.current === "" ? null : { index: resultIndex, count: resultCount }));

    const document = new LogDocument();
    const folded = new Set<string>();
    /** Document index of each line on screen, in order. */
    let shown: number[] = [];
    let highlighted: number | null = null;
    let decoration: IDecoration | undefined;
    /** A permalink's line, until it has been shown. */
    let anchor = parseLineAnchor(window.location.hash);
    // The reader scrolled: nothing pulls the view elsewhere over their choice any more.
    let readerMoved = false;

    const fitting = fitToContent(terminal, fit);
    const { size, resizeSoon } = fitting;

    /**
     * Keeps buffer row `row` near the top for a few frames: xterm settles its viewport a frame or two after a write.
     * A later hold, or the reader scrolling, ends it.
     */
    let hold = 0;
    const holdAt = (row: number) => {
      const id = ++hold;
      const keep = (frames: number) =>
        requestAnimationFrame(() => {
          if (id !== hold) return;
          size();
          terminal.scrollToLine(Math.max(0, row - 2));
          if (frames > 0) keep(frames - 1);
        });
      keep(10);
    };
    const readerScrolled = () => {
      readerMoved = true;
      hold += 1;
    };

    const decorate = () => {
      decoration?.dispose();
      decoration = undefined;
      const at = highlighted === null ? -1 : shown.indexOf(highlighted);
      if (at === -1) return;
      const row = bufferRowOf(terminal, at);
      const buffer = terminal.buffer.active;
      const marker = terminal.registerMarker(row - (buffer.baseY + buffer.cursorY));
      if (!marker) return;
      decoration = terminal.registerDecoration({ marker, backgroundColor: HIGHLIGHT, width: terminal.cols, layer: "bottom" });
      decoration?.onRender((box) => box.classList.add("log-line-highlight"));
    };

    /** Marks line `index` (a document index) as the chosen one: highlighted, its permalink offered; `scroll` brings it into view. */
    const choose = (index: number, scroll: boolean) => {
      const line = document.lines[index];
      if (!line) return;
      const hiding = foldsHiding(document.lines, index, folded);
      highlighted = index;
      setSelected({ anchor: lineAnchor(line), step: line.step, line: line.line });
      const place = () => {
        decorate();
        if (scroll) holdAt(bufferRowOf(terminal, shown.indexOf(index)));
      };
      if (hiding.length > 0) {
        for (const key of hiding) folded.delete(key);
        rewrite(place);
      } else terminal.write("", place); // after what is still being written: the line's row is known then
    };

    const reportFolds = () => onFoldedSteps([...folded].flatMap((key) => (/^step:\d+$/.test(key) ? [Number(key.slice(5))] : [])));

    /** Writes the lines shown under the folds afresh (a fold changed); `then` runs once they are in the buffer. */
    function rewrite(then?: () => void) {
      const top = terminal.buffer.active.viewportY;
      terminal.reset();
      shown = document.lines.flatMap((_, index) => (isShown(document.lines, index, folded) ? [index] : []));
      const text = shown.map((index) => displayLine(document.lines[index] as LogLine, index, folded)).join("\r\n");
      terminal.write(text === "" ? "" : `${text}\r\n`, () => {
        size();
        decorate();
        if (then) return then();
        terminal.scrollToLine(top);
        // The matches' places moved with the folds: searching again would move the view, so the next Enter does.
        search.clearDecorations();
        setResults(null);
      });
      reportFolds();
    }

    const toggle = (key: string) => {
      if (folded.has(key)) folded.delete(key);
      else folded.add(key);
      rewrite();
    };

    const added = (lines: LogLine[]) => {
      if (lines.length === 0) return;
      const first = document.lines.length - lines.length;
      for (const key of initialFolds(lines, first)) folded.add(key);
      let text = "";
      lines.forEach((line, offset) => {
        const index = first + offset;
        if (!isShown(document.lines, index, folded)) return;
        shown.push(index);
        text += `${displayLine(line, index, folded)}\r\n`;
      });
      if (lines.some((line) => line.kind === "error")) setHasError(true);
      if (lines.some((line) => line.kind === "group")) setHasGroups(true);
      terminal.write(text, resizeSoon);
      if (anchor) {
        const target = findAnchoredLine(document.lines, anchor);
        if (target !== -1) {
          anchor = null;
          choose(target, true);
        }
      }
    };

    const source = new EventSource(url);
    source.addEventListener("open", () => setState("live"));
    source.addEventListener("step", (event) => {
      const data = parseEvent(event);
      const index = Number(data.index);
      added(document.startStep(index, typeof data.name === "string" ? data.name : `Step ${index + 1}`));
    });
    source.addEventListener("log", (event) => {
      const data = parseEvent(event);
      if (typeof data.text === "string") added(document.append(typeof data.step === "number" ? data.step : null, data.text));
    });
    source.addEventListener("end", (event) => {
      source.close();
      added(document.flush());
      const status = parseEvent(event).status;
      // No status: a later attempt began. An attempt that had ended when the page was read keeps its own word.
      if (typeof status !== "string" && ACTIVE_ATTEMPT.has(attemptStatus)) setState("superseded");
      else {
        setEnded(typeof status === "string" ? status : attemptStatus);
        setState("ended");
      }
      if (failedStep !== null) setHasError(firstErrorLine(document.lines, failedStep) !== -1);
      // A finished log opens where it went wrong (a permalink's line wins, and so does a reader who scrolled).
      terminal.write("", () => {
        if (anchor || readerMoved || highlighted !== null) return;
        const error = firstErrorLine(document.lines, failedStep);
        if (error !== -1 && failedStep !== null) holdAt(bufferRowOf(terminal, shown.indexOf(error)));
      });
    });
    source.addEventListener("failure", () => {
      source.close();
      setState("failed");
    });

    // A click on a heading or group title folds it; on any other line, chooses it for a permalink.
    const onClick = (event: MouseEvent) => {
      if (terminal.hasSelection() && terminal.getSelection() !== "") return; // the reader selected text to copy
      const screen = element.querySelector(".xterm-screen");
      if (!screen) return;
      const box = screen.getBoundingClientRect();
      const row = terminal.buffer.active.viewportY + Math.floor(((event.clientY - box.top) / box.height) * terminal.rows);
      const index = shown[shownAt(terminal, row)];
      const line = index === undefined ? undefined : document.lines[index];
      if (!line || index === undefined) return;
      if (line.kind === "step") toggle(stepFold(line.step));
      else if (line.kind === "group") toggle(groupFold(index));
      else choose(index, false);
    };
    element.addEventListener("click", onClick);
    element.addEventListener("wheel", readerScrolled, { passive: true });

    const find = (direction: Direction) => {
      const text = term.current;
      if (text === "") {
        search.clearDecorations();
        setResults(null);
        return;
      }
      const run = () => {
        const found = direction === "previous" ? search.findPrevious(text, { decorations: MATCHES }) : search.findNext(text, { decorations: MATCHES, incremental: direction === "typed" });
        const position = found ? terminal.getSelectionPosition() : undefined;
        const index = position ? shown[shownAt(terminal, position.start.y)] : undefined;
        if (index !== undefined) {
          readerMoved = true;
          highlighted = index;
          const line = document.lines[index];
          if (line) setSelected({ anchor: lineAnchor(line), step: line.step, line: line.line });
          decorate();
        }
      };
      const open = foldsHidingMatches(document.lines, text, folded);
      if (open.length > 0) {
        for (const key of open) folded.delete(key);
        rewrite(run);
      } else run();
    };

    api.current = {
      find,
      jumpToError: () => {
        const error = firstErrorLine(document.lines, failedStep);
        if (error === -1) return;
        readerMoved = true;
        choose(error, true);
      },
      foldGroups: (fold) => {
        document.lines.forEach((line, index) => {
          if (line.kind !== "group") return;
          if (fold) folded.add(groupFold(index));
          else folded.delete(groupFold(index));
        });
        rewrite();
      },
      scroll: (key) => {
        const moved = scrollByKey(terminal, key);
        if (moved) readerScrolled();
        return moved;
      },
    };
    controls.current = {
      toggleStep: (index) => {
        const key = stepFold(index);
        const opening = folded.has(key);
        toggle(key);
        const heading = document.lines.findIndex((line) => line.kind === "step" && line.step === index);
        if (opening && heading !== -1) {
          readerMoved = true;
          terminal.write("", () => holdAt(bufferRowOf(terminal, shown.indexOf(heading))));
        }
      },
    };

    return () => {
      source.close();
      element.removeEventListener("click", onClick);
      fitting.dispose();
      api.current = null;
      controls.current = null;
      terminal.dispose();
    };
  }, [url, failedStep, attemptStatus, controls, onFoldedSteps]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (api.current?.scroll(event.key)) event.preventDefault();
  };
  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    api.current?.find(event.shiftKey ? "previous" : "next");
  };
  const permalink = selected && typeof window !== "undefined" ? `${window.location.origin}${window.location.pathname}?attempt=${attempt}#${selected.anchor}` : "";
  const copy = () => {
    if (!permalink) return;
    navigator.clipboard.writeText(permalink).then(
      () => setCopied("Link copied."),
      () => setCopied("Copying was refused: use the link instead."),
    );
  };
  const ending = ended === "" ? "" : statusWord("attempt", ended).word;
  const count = results === null ? "" : results.count === 0 ? "No matches" : results.index === -1 ? `${results.count}+ matches` : `${results.index + 1} of ${results.count}`;
  return (
    <div className="log-view job-log-viewer" data-highlight={selected?.anchor ?? ""}>
      <div className="log-toolbar" role="toolbar" aria-label={`Log tools for job ${jobKey}`}>
        <span className="log-search">
          <input
            type="search"
            aria-label="Search the log"
            placeholder="Search the log"
            onChange={(event) => {
              term.current = event.target.value;
              api.current?.find("typed");
            }}
            onKeyDown={onSearchKey}
            data-testid="log-search"
          />
          <button type="button" onClick={() => api.current?.find("previous")} aria-label="Previous match">
            ↑
          </button>
          <button type="button" onClick={() => api.current?.find("next")} aria-label="Next match">
            ↓
          </button>
          <span className="muted small" role="status" data-testid="log-search-count">
            {count}
          </span>
        </span>
        <button type="button" onClick={() => api.current?.jumpToError()} disabled={!hasError} data-testid="log-first-error">
          Jump to the first error
        </button>
        {hasGroups && (
          <>
            <button type="button" onClick={() => api.current?.foldGroups(true)}>
              Collapse groups
            </button>
            <button type="button" onClick={() => api.current?.foldGroups(false)}>
              Expand groups
            </button>
          </>
        )}
        <a href={rawUrl} download data-testid="log-download">
          Download raw log
        </a>
      </div>
      <LogRegion jobKey={jobKey} state={state} onKeyDown={onKeyDown} ref={host} />
      <p className="muted small log-footer">
        <span data-testid={`log-state-${jobKey}`}>{state === "connecting" ? "connecting…" : state === "live" ? "live" : state === "ended" ? `finished: ${ending}` : state === "superseded" ? "a later attempt began: reload to see it" : "the log stream stopped; reload to try again"}</span>
        {selected && (
          <span className="log-permalink" data-testid="log-permalink">
            {" · "}
            <a href={permalink}>{selected.step === null ? `line ${selected.line}` : `step ${selected.step + 1}, line ${selected.line}`}</a>{" "}
            <button type="button" onClick={copy}>
              Copy link to this line
            </button>{" "}
            <span role="status">{copied}</span>
          </span>
        )}
      </p>
    </div>
  );
}
