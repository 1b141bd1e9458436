// gantry runs list | view | watch.
import { numberOption, stringOption } from "../args";
import { runStatusFromWord, statusWord } from "@gantry/workflow-schema/status-words";
import { runsListAnswer, runStatus, TERMINAL, type RunDetail } from "../answers";
import { connect, printJson, resolveTenant, type CommandContext } from "../context";
import { UsageError } from "../errors";
import { duration, shortRef, table, when } from "../format";
import { exitCodeOf, pollInterval, readRun, readRunOrPending } from "../run-reader";

/** The filters `runs list` passes to runs.list as they are (the server checks them and names a bad one). */
const LIST_FILTERS = { repo: "repository", branch: "branch", event: "event", actor: "actor", workflow: "workflow", search: "text" } as const;

export async function runsList(context: CommandContext): Promise<number> {
  const { values } = context.command;
  const rawStatus = stringOption(values, "status");
  // The words the CLI prints (`cancelled`, `timed out`) or the API's names (`CANCELED`, `TIMED_OUT`).
  const status = rawStatus === undefined ? undefined : runStatus.safeParse(runStatusFromWord(rawStatus));
  if (status && !status.success) throw new UsageError(`--status takes one of ${runStatus.options.map((name) => statusWord("run", name).word).join(", ")}, not ${JSON.stringify(rawStatus)}`);
  const limit = numberOption(values, "limit", { max: 100 });
  const cursor = stringOption(values, "cursor");
  const filters = Object.fromEntries(Object.entries(LIST_FILTERS).flatMap(([option, field]) => {
    const value = stringOption(values, option);
    return value === undefined ? [] : [[field, value]];
  }));
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const page = await connected.api.query("runs.list", { tenant, ...filters, ...(status?.data ? { status: status.data } : {}), ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) }, runsListAnswer);
  if (context.json) printJson(context.io, page);
  else if (page.runs.length === 0) context.io.out(cursor ? "No older runs." : `No runs in ${tenant}${Object.keys(filters).length > 0 || status ? " match these filters" : ""}.`);
  else {
    context.io.out(table([["ID", "#", "STATUS", "REPOSITORY", "WORKFLOW", "REF", "EVENT", "ACTOR", "CREATED"], ...page.runs.map((run) => [run.id, String(run.runNumber), statusWord("run", run.status).word, run.repository, run.workflowName, shortRef(run.ref), run.event, run.triggeredBy ?? "-", when(run.createdAt)])]));
    // On stderr, so that the table alone can be piped.
    if (page.nextCursor) context.io.err(`Older runs: the same command with --cursor ${page.nextCursor}`);
  }
  return 0;
}

/** The run's header and a line per job. */
export function describeRun(run: RunDetail, now: Date): string {
  const header = `${run.workflowName} #${run.runNumber}${run.runAttempt > 1 ? ` (attempt ${run.runAttempt})` : ""}  ${statusWord("run", run.status).word}\n${run.repository} ${shortRef(run.ref)} ${run.sha.slice(0, 7)} · ${run.event} · ${run.id}`;
  const errors = run.errors.map((error) => `${error.file}:${error.line}:${error.col}: ${error.message} [${error.code}]`);
  const jobs = table(run.jobs.map((job) => [`  ${job.key}`, statusWord("job", job.status).word, duration(job.startedAt, job.finishedAt, now), job.failureReason ?? job.waiting?.text ?? ""]));
  return [header, ...errors, ...(run.jobs.length > 0 ? [jobs] : [])].join("\n");
}

export async function runsView(context: CommandContext): Promise<number> {
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const run = await readRun(connected.api, tenant, context.command.positionals[0] ?? "");
  if (context.json) printJson(context.io, run);
  else context.io.out(describeRun(run, context.io.now()));
  return 0;
}

/** Each job status change as a line, until the run ends; exit 0 when it succeeded, 1 otherwise. */
export async function runsWatch(context: CommandContext): Promise<number> {
  const interval = pollInterval(numberOption(context.command.values, "interval", { max: 600 }));
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const runId = context.command.positionals[0] ?? "";
  const seen = new Map<string, string>();
  for (;;) {
    const run = await readRunOrPending(connected.api, tenant, runId);
    if (run) {
      for (const job of run.jobs) {
        if (seen.get(job.key) === job.status) continue;
        seen.set(job.key, job.status);
        if (context.json) context.io.out(JSON.stringify({ job: job.key, status: job.status, at: context.io.now().toISOString() }));
        else context.io.out(`${when(context.io.now().toISOString())}  ${job.key}  ${statusWord("job", job.status).word}${job.failureReason ? `  ${job.failureReason}` : ""}`);
      }
      if (TERMINAL.has(run.status)) {
        if (context.json) context.io.out(JSON.stringify({ run: run.id, status: run.status }));
        else context.io.out(`Run ${run.workflowName} #${run.runNumber} ${statusWord("run", run.status).word}.`);
        return exitCodeOf(run);
      }
    }
    await context.io.sleep(interval);
  }
}
