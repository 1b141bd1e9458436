// The job page's log as addressed lines: each line knows its step, its number in that step's raw log (what a
// permalink `#step-N-line-M` names), and the `##[group]` it sits in, so the viewer can fold steps and groups, find
// the first error and scroll to a line. Pure: the terminal (job-log-viewer.tsx) renders what this decides.
import { decorateCommand, MUTED } from "../../log-render";

export type LineKind = "step" | "group" | "endgroup" | "error" | "text";

export interface LogLine {
  /** The step's index (0-based), or null for output before any step. */
  step: number | null;
  /** 1-based number of the line in its step's raw log; 0 for the step's heading, which is not in the log. */
  line: number;
  /** The raw line without its line end (for a heading, the step's name). */
  text: string;
  kind: LineKind;
  /** The index (in the document) of the group title this line is inside; null outside a group. */
  group: number | null;
}

const GROUP = /^##\[group\]/;
const END_GROUP = /^##\[endgroup\]/;
const ERROR = /^(##\[error\]|::error(\s|::))/;

/** One attempt's log, built chunk by chunk in order. A line cut across chunks is kept until its end arrives. */
export class LogDocument {
  readonly lines: LogLine[] = [];
  private step: number | null = null;
  private started = false;
  private partial = "";
  private counted = 0;
  private openGroup: number | null = null;

  /** A new step begins (its heading). Repeating the step on screen changes nothing. */
  startStep(index: number, name: string): LogLine[] {
    if (this.started && this.step === index) return [];
    const flushed = this.flush();
    this.step = index;
    this.started = true;
    this.counted = 0;
    this.openGroup = null;
    const heading: LogLine = { step: index, line: 0, text: name, kind: "step", group: null };
    this.lines.push(heading);
    return [...flushed, heading];
  }

  /** The next chunk of `step`'s output; answers the lines it completed. */
  append(step: number | null, text: string): LogLine[] {
    const added: LogLine[] = step !== null && (!this.started || step !== this.step) ? this.startStep(step, `Step ${step + 1}`) : [];
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    for (const part of parts) added.push(this.add(part.replace(/\r$/, "")));
    return added;
  }

  /** The line still waiting for its end (the log ended without one), as a line. */
  flush(): LogLine[] {
    if (this.partial === "") return [];
    const line = this.add(this.partial.replace(/\r$/, ""));
    this.partial = "";
    return [line];
  }

  private add(text: string): LogLine {
    this.counted += 1;
    const index = this.lines.length;
    let kind: LineKind = "text";
    let group = this.openGroup;
    if (GROUP.test(text)) {
      kind = "group";
      group = null; // a title stays visible when its group is folded; a new group ends an open one
      this.openGroup = index;
    } else if (END_GROUP.test(text)) {
      kind = "endgroup";
      this.openGroup = null;
    } else if (ERROR.test(text)) {
      kind = "error";
    }
    const line: LogLine = { step: this.step, line: this.counted, text, kind, group };
    this.lines.push(line);
    return line;
  }
}

/** `step-N-line-M`: N counts steps from 1 (0 is output before any step), M the step's raw log lines from 1. */
export function lineAnchor(line: Pick<LogLine, "step" | "line">): string {
  return `step-${line.step === null ? 0 : line.step + 1}-line-${line.line}`;
}

/** The line an anchor (`#step-2-line-7` or without `#`) names, or null when it names none. */
export function parseLineAnchor(hash: string): { step: number | null; line: number } | null {
  const match = /^#?step-(\d{1,6})-line-(\d{1,9})$/.exec(hash);
  if (!match) return null;
  const step = Number(match[1]);
  return { step: step === 0 ? null : step - 1, line: Number(match[2]) };
}

/** The document index of the line an anchor names, or -1. */
export function findAnchoredLine(lines: readonly LogLine[], anchor: { step: number | null; line: number }): number {
  return lines.findIndex((line) => line.step === anchor.step && line.line === anchor.line);
}

/** Where "jump to the first error" goes: the first `##[error]`/`::error` line, else the failed step's heading; -1 if neither. */
export function firstErrorLine(lines: readonly LogLine[], failedStep: number | null): number {
  const error = lines.findIndex((line) => line.kind === "error");
  if (error !== -1 || failedStep === null) return error;
  return lines.findIndex((line) => line.kind === "step" && line.step === failedStep);
}

/** Fold keys: a step's whole log (`step:<index>`) or one group's lines under its title (`group:<document index>`). */
export const stepFold = (step: number | null) => `step:${step ?? "none"}`;
export const groupFold = (title: number) => `group:${title}`;

/**
 * The runner's echo of a `run:` script is a group titled "Run …": folded at first, as GitHub shows it. `lines` may be
 * the newest part of a document, starting at document index `offset`.
 */
export function initialFolds(lines: readonly LogLine[], offset = 0): string[] {
  return lines.flatMap((line, index) => (line.kind === "group" && line.text.startsWith("##[group]Run ") ? [groupFold(offset + index)] : []));
}

/** The folds that hide line `index` (none when it is shown). `##[endgroup]` lines are never shown. */
export function foldsHiding(lines: readonly LogLine[], index: number, folded: ReadonlySet<string>): string[] {
  const line = lines[index];
  if (!line) return [];
  const hiding: string[] = [];
  if (line.kind !== "step" && folded.has(stepFold(line.step))) hiding.push(stepFold(line.step));
  if (line.group !== null && folded.has(groupFold(line.group))) hiding.push(groupFold(line.group));
  return hiding;
}

/** Whether line `index` is shown under these folds. */
export function isShown(lines: readonly LogLine[], index: number, folded: ReadonlySet<string>): boolean {
  return lines[index]?.kind !== "endgroup" && foldsHiding(lines, index, folded).length === 0;
}

/** The folds to open so every line containing `term` (without case) is shown: a search looks in folded lines too. */
export function foldsHidingMatches(lines: readonly LogLine[], term: string, folded: ReadonlySet<string>): string[] {
  if (term === "" || folded.size === 0) return [];
  const needle = term.toLowerCase();
  const open = new Set<string>();
  lines.forEach((line, index) => {
    if (line.kind !== "endgroup" && visibleText(line).toLowerCase().includes(needle)) for (const key of foldsHiding(lines, index, folded)) open.add(key);
  });
  return [...open];
}

const ESC = "\u001b[";
const RESET = `${ESC}0m`;
// eslint-disable-next-line no-control-regex -- ANSI escapes are what it removes
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The words a reader sees on the line (no colours, no `##[` marker): what search compares against. */
export function visibleText(line: LogLine): string {
  if (line.kind === "step") return line.text;
  if (line.kind === "group") return line.text.replace(GROUP, "");
  return (decorateCommand(line.text) ?? line.text).replace(ANSI, "");
}

/** The line as the terminal writes it (no line end): headings and group titles show whether they are folded. */
export function displayLine(line: LogLine, index: number, folded: ReadonlySet<string>): string {
  if (line.kind === "step") return `${ESC}1;36m${folded.has(stepFold(line.step)) ? "\u25b8" : "\u25be"} ${line.text}${RESET}`;
  if (line.kind === "group") {
    const title = line.text.replace(GROUP, "");
    const script = title.startsWith("Run ");
    return `${script ? MUTED : `${ESC}1m`}${folded.has(groupFold(index)) ? "\u25b8" : "\u25be"} ${title}${RESET}`;
  }
  return decorateCommand(line.text) ?? line.text;
}
