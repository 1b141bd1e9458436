// gantry runs list | view | watch.
import { numberOption, stringOption } from "../args";
import { runStatusFromWord, statusWord } from "@gantry/workflow-schema/status-words";
import { runsListAnswer, runStatus, TERMINAL, type RunDetail } from "../answers";
import { connect, printJson, resolveTenant, type CommandContext } from "../context";
import { UsageError } from "../errors";
import { duration, shortRef, table, when } from "../format";
import { exitCodeOf, pollInterval, readRun, readRunOrPending } from "../run-reader";

export async function runsList(context: CommandContext): Promise<number> {
  const { values } = context.command;
  const rawStatus = stringOption(values, "status");
  // The words the CLI prints (`cancelled`, `timed out`) or the API's names (`CANCELED`, `TIMED_OUT`).
  const status = rawStatus === undefined ? undefined : runStatus.safeParse(runStatusFromWord(rawStatus));
  if (status && !status.success) throw new UsageError(`--status takes one of ${runStatus.options.map((name) => statusWord("run", name).word).join(", ")}, not ${JSON.stringify(rawStatus)}`);
  const limit = numberOption(values, "limit", { max: 100 });
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const repository = stringOption(values, "repo");
  const runs = await connected.api.query("runs.list", { tenant, ...(limit ? { limit } : {}), ...(repository ? { repository } : {}), ...(status?.data ? { status: status.data } : {}) }, runsListAnswer);
  if (context.json) printJson(context.io, runs);
  else if (runs.length === 0) context.io.out(`No runs in ${tenant}${repository ? ` for ${repository}` : ""}${status?.data ? ` with status ${statusWord("run", status.data).word}` : ""}.`);
  else context.io.out(table([["ID", "#", "STATUS", "REPOSITORY", "WORKFLOW", "REF", "EVENT", "CREATED"], ...runs.map((run) => [run.id, String(run.runNumber), statusWord("run", run.status).word, run.repository, run.workflowName, shortRef(run.ref), run.event, when(run.createdAt)])]));
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
