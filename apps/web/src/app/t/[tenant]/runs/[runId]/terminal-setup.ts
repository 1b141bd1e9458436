// What the run page's log terminal (log-terminal.tsx) and the job page's log viewer share: the colours, the row
// limits, a read-only xterm for assistive technology, and reading the log stream's events.
import type { FitAddon } from "@xterm/addon-fit";
import type { Terminal } from "@xterm/xterm";

/** The tallest the box grows before it scrolls; the shortest it shrinks to. */
export const MAX_ROWS = 30;
export const MIN_ROWS = 2;

/** Colours readable on the dark background (WCAG AA), for the runner's annotations and for what jobs print. */
export const THEME = {
  background: "#0f172a",
  foreground: "#e2e8f0",
  black: "#64748b",
  brightBlack: "#94a3b8",
  red: "#f87171",
  brightRed: "#fca5a5",
  green: "#4ade80",
  brightGreen: "#86efac",
  yellow: "#facc15",
  brightYellow: "#fde047",
  blue: "#60a5fa",
  brightBlue: "#93c5fd",
  magenta: "#e879f9",
  brightMagenta: "#f0abfc",
  cyan: "#22d3ee",
  brightCyan: "#67e8f9",
  white: "#e2e8f0",
  brightWhite: "#f8fafc",
};

/** An event's JSON data (the live log stream's events all carry an object). */
export const parseEvent = (event: Event): Record<string, unknown> => (event instanceof MessageEvent && typeof event.data === "string" ? (JSON.parse(event.data) as Record<string, unknown>) : {});

/** Lines in use, up to the cursor's (xterm keeps the cursor's line, empty after a final newline, in view). */
export function usedRows(terminal: Terminal): number {
  const buffer = terminal.buffer.active;
  return buffer.baseY + buffer.cursorY + 1;
}

/** Makes xterm's input textarea inert for assistive technology and the keyboard: this terminal takes no input. */
export function silenceInput(element: HTMLElement): void {
  const input = element.querySelector("textarea");
  if (!input) return;
  input.readOnly = true;
  input.tabIndex = -1;
  input.setAttribute("aria-hidden", "true");
  input.removeAttribute("aria-label");
}

/** Scrolls with the keys people expect of a scrolling box; false for any other key. */
export function scrollByKey(terminal: Terminal, key: string): boolean {
  const keys: Record<string, () => void> = {
    ArrowUp: () => terminal.scrollLines(-1),
    ArrowDown: () => terminal.scrollLines(1),
    PageUp: () => terminal.scrollPages(-1),
    PageDown: () => terminal.scrollPages(1),
    Home: () => terminal.scrollToTop(),
    End: () => terminal.scrollToBottom(),
  };
  const scroll = keys[key];
  scroll?.();
  return scroll !== undefined;
}

/**
 * Columns follow the box's width (fit addon), rows the content, from MIN_ROWS up to MAX_ROWS; again on each window
 * resize and, through `resizeSoon`, once a frame after writes. `dispose` stops it.
 */
export function fitToContent(terminal: Terminal, fit: FitAddon): { size(): void; resizeSoon(): void; dispose(): void } {
  let frame = 0;
  const size = () => {
    frame = 0;
    const cols = fit.proposeDimensions()?.cols ?? terminal.cols;
    const rows = Math.min(MAX_ROWS, Math.max(MIN_ROWS, usedRows(terminal)));
    if (cols !== terminal.cols || rows !== terminal.rows) terminal.resize(Math.max(2, cols), rows);
  };
  const resizeSoon = () => {
    if (frame === 0) frame = requestAnimationFrame(size);
  };
  size();
  window.addEventListener("resize", resizeSoon);
  return {
    size,
    resizeSoon,
    dispose: () => {
      if (frame !== 0) cancelAnimationFrame(frame);
      window.removeEventListener("resize", resizeSoon);
    },
  };
}
