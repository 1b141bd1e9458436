// gantry logs ID [--job KEY] [--follow]: each job's log (its latest attempt), in the run's job order, headed by the
// job when there are several. --follow reads on from where it stopped (runs.logs fromSeq) until the run ends, then
// exits 0 when it succeeded and 1 otherwise, so `gantry logs --follow` can stand in a script for `runs watch`.
import { statusWord } from "@gantry/workflow-schema/status-words";
import { numberOption, stringOption } from "../args";
import { logsAnswer, TERMINAL, type RunJob } from "../answers";
import { connect, resolveTenant, type CommandContext } from "../context";
import { CommandFailed } from "../errors";
import { exitCodeOf, pollInterval, readRun, readRunOrPending } from "../run-reader";

/** The server answers at most this many chunks per read; a full page means there may be more. */
const CHUNKS_PER_READ = 1000;

export async function logs(context: CommandContext): Promise<number> {
  const { values, positionals } = context.command;
  const only = stringOption(values, "job");
  const follow = values.follow === true;
  const interval = pollInterval(numberOption(values, "interval", { max: 600 }));
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const runId = positionals[0] ?? "";
  /** Per job attempt (`key#attempt`), the next chunk to read. */
  const nextSeq = new Map<string, number>();
  let printing: string | undefined;

  const drain = async (job: RunJob, headed: boolean) => {
    const cursor = `${job.key}#${job.attempt}`;
    for (;;) {
      const answer = await connected.api.query("runs.logs", { tenant, runId, jobKey: job.key, attempt: job.attempt, fromSeq: nextSeq.get(cursor) ?? 0 }, logsAnswer);
      if (answer.text) {
        if (headed && printing !== cursor) context.io.write(`${printing === undefined ? "" : "\n"}── ${job.key}${job.attempt > 1 ? ` (attempt ${job.attempt})` : ""} ──\n`);
        printing = cursor;
        context.io.write(answer.text);
      }
      nextSeq.set(cursor, answer.nextSeq);
      if (answer.chunks.length < CHUNKS_PER_READ) return;
    }
  };

  let ended = false;
  for (;;) {
    const run = follow ? await readRunOrPending(connected.api, tenant, runId) : await readRun(connected.api, tenant, runId);
    if (run) {
      const jobs = only === undefined ? run.jobs : run.jobs.filter((job) => job.key === only);
      if (only !== undefined && jobs.length === 0) throw new CommandFailed(`run ${runId} has no job ${JSON.stringify(only)} (its jobs: ${run.jobs.map((job) => job.key).join(", ") || "none yet"})`);
      for (const job of jobs) if (job.attempt > 0) await drain(job, only === undefined);
      if (!follow) return 0;
      // One more read after the run has ended: the last chunks land before the job's completion, but read them all.
      if (ended) {
        if (printing !== undefined) context.io.write("\n");
        context.io.err(`Run ${run.workflowName} #${run.runNumber} ${statusWord("run", run.status).word}.`);
        return exitCodeOf(run);
      }
      if (TERMINAL.has(run.status)) {
        ended = true;
        continue;
      }
    }
    await context.io.sleep(interval);
  }
}
