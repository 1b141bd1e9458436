// One step's output on its way to the log: decode UTF-8 across chunk boundaries, act on workflow command
// lines, mask, and write to the job's LogStream. Plain lines pass in bulk (a step printing 1 GB must not
// cost a JS call per line); a line with no newline for 64 KiB is flushed in pieces, keeping enough of its
// tail back that a secret split across pieces is still masked. Full-width base64 lines at the end of a read are
// held back too (up to 64 KiB of them), so a wrapped secret whose rest comes in the next read is masked whole.
import { StringDecoder } from "node:string_decoder";
import type { Annotation } from "./annotations";
import type { LogStream } from "./log-stream";
import type { Masker } from "./masker";
import { parseWorkflowCommand, type WorkflowCommand } from "./workflow-commands";

const LONG_LINE = 64 * 1024;
// A line starting with optional blanks then `::` may be a command; everything else is plain text.
const COMMAND_START = /^[ \t]*::/m;

export interface StepOutputState {
  annotations: Annotation[];
  /** Commands refused for security (set-env, add-path): the step fails, as on GitHub. */
  refused: string[];
  /** Legacy `::set-output name=…::` values. */
  outputs: Record<string, string>;
  /** Legacy `::save-state name=…::` values (an action's STATE_<name> in its later phases). */
  saved: Record<string, string>;
}

export class StepOutput {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  /** Whole lines that may go on in the next read as wrapped base64: masked with what follows them. */
  private held = "";
  private midLine = false;
  private stopToken: string | undefined;
  readonly state: StepOutputState = { annotations: [], refused: [], outputs: {}, saved: {} };

  constructor(
    private readonly stepIndex: number,
    private readonly masker: Masker,
    private readonly log: LogStream,
    private readonly debug = false,
  ) {}

  async push(bytes: Buffer): Promise<void> {
    // Past the job's log cap nothing more is shown; skip the work of reading it.
    if (this.log.truncated) return;
    this.pending += this.decoder.write(bytes);
    const lastNewline = this.pending.lastIndexOf("\n");
    if (lastNewline >= 0) {
      const complete = this.held + this.pending.slice(0, lastNewline + 1);
      this.pending = this.pending.slice(lastNewline + 1);
      // The end of a long line already partly flushed is never held (lines() treats the first line apart).
      const firstLine = this.midLine ? complete.indexOf("\n") + 1 : 0;
      const hold = Math.max(firstLine, this.masker.heldTailStart(complete));
      // Past 64 KiB of them, a wrapped stream goes out masked as far as it is (bounded memory and latency).
      this.held = complete.length - hold <= LONG_LINE ? complete.slice(hold) : "";
      await this.lines(complete.slice(0, complete.length - this.held.length));
    }
    if (this.pending.length > LONG_LINE) {
      await this.releaseHeld();
      const masked = this.masker.mask(this.pending);
      const keep = Math.max(0, this.masker.maxLength - 1);
      const emit = masked.length - keep;
      this.pending = masked.slice(emit);
      this.midLine = true;
      await this.log.write(this.stepIndex, masked.slice(0, emit));
    }
  }

  async end(): Promise<void> {
    this.pending += this.decoder.end();
    if (this.pending !== "") {
      await this.lines(`${this.held}${this.pending}\n`);
      this.held = "";
    }
    await this.releaseHeld();
    this.pending = "";
  }

  private async releaseHeld(): Promise<void> {
    const held = this.held;
    this.held = "";
    if (held !== "") await this.lines(held);
  }

  /** `text` is whole lines, each ending with \n. */
  private async lines(text: string): Promise<void> {
    let rest = text;
    if (this.midLine) {
      // The end of a long line already partly flushed: never a command.
      const nl = rest.indexOf("\n") + 1;
      await this.plain(rest.slice(0, nl));
      rest = rest.slice(nl);
      this.midLine = false;
    }
    while (rest !== "") {
      const at = this.stopToken === undefined ? rest.search(COMMAND_START) : this.findResume(rest);
      if (at < 0) {
        await this.plain(rest);
        return;
      }
      await this.plain(rest.slice(0, at));
      const nl = rest.indexOf("\n", at) + 1;
      await this.commandLine(rest.slice(at, nl));
      rest = rest.slice(nl);
    }
  }

  private findResume(text: string): number {
    const token = `::${this.stopToken}::`;
    for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
      const lineStart = text.lastIndexOf("\n", at - 1) + 1;
      if (text.slice(lineStart, at).trim() === "") return lineStart;
    }
    return -1;
  }

  private async plain(text: string): Promise<void> {
    if (text !== "") await this.log.write(this.stepIndex, this.masker.mask(text));
  }

  private async commandLine(line: string): Promise<void> {
    const body = line.replace(/\r?\n$/, "");
    if (this.stopToken !== undefined) {
      if (body.trim() === `::${this.stopToken}::`) this.stopToken = undefined;
      else await this.plain(line);
      return;
    }
    const command = parseWorkflowCommand(body);
    if (!command) return this.plain(line);
    await this.apply(command, line);
  }

  private async apply(command: WorkflowCommand, line: string): Promise<void> {
    const show = (text: string) => this.plain(`${text}\n`);
    switch (command.name) {
      case "add-mask":
        this.masker.add(command.message);
        return;
      case "stop-commands":
        // GitHub requires a token; without one the line is just text.
        if (command.message.trim() === "") return this.plain(line);
        this.stopToken = command.message;
        return;
      case "error":
      case "warning":
      case "notice": {
        const message = this.masker.mask(command.message);
        const p = command.properties;
        const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
        this.state.annotations.push({
          level: command.name,
          message,
          stepIndex: this.stepIndex,
          ...(p.file !== undefined ? { file: p.file } : {}),
          ...(num(p.line) !== undefined ? { line: num(p.line) } : {}),
          ...(num(p.col) !== undefined ? { col: num(p.col) } : {}),
          ...(num(p.endLine) !== undefined ? { endLine: num(p.endLine) } : {}),
          ...(num(p.endColumn) !== undefined ? { endColumn: num(p.endColumn) } : {}),
          ...(p.title !== undefined ? { title: this.masker.mask(p.title) } : {}),
        });
        return show(`##[${command.name}]${command.message}`);
      }
      case "group":
        return show(`##[group]${command.message}`);
      case "endgroup":
        return show("##[endgroup]");
      case "debug":
        return this.debug ? show(`##[debug]${command.message}`) : undefined;
      case "set-output":
        if (command.properties.name) this.state.outputs[command.properties.name] = command.message;
        return;
      case "save-state":
        if (command.properties.name) this.state.saved[command.properties.name] = command.message;
        return;
      case "set-env":
      case "add-path":
        this.state.refused.push(command.name);
        return show(`##[error]The \`${command.name}\` command is disabled. Use the environment files (GITHUB_ENV, GITHUB_PATH) instead.`);
      default:
        return this.plain(line);
    }
  }
}
