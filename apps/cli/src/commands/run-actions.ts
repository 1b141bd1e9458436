// gantry cancel ID [--job KEY] and gantry rerun ID [--failed | --job KEY].
import { stringOption } from "../args";
import { cancelAnswer, rerunAnswer } from "../answers";
import { connect, printJson, resolveTenant, type CommandContext } from "../context";
import { UsageError } from "../errors";

export async function cancel(context: CommandContext): Promise<number> {
  const runId = context.command.positionals[0] ?? "";
  const jobKey = stringOption(context.command.values, "job");
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const answer = await connected.api.mutation("runs.cancel", { tenant, runId, ...(jobKey ? { jobKey } : {}) }, cancelAnswer);
  if (context.json) printJson(context.io, answer);
  else context.io.out(`Canceled ${jobKey ? `job ${jobKey} of ` : ""}run ${answer.runId} (${answer.canceledJobs} job${answer.canceledJobs === 1 ? "" : "s"} stopped).`);
  return 0;
}

export async function rerun(context: CommandContext): Promise<number> {
  const runId = context.command.positionals[0] ?? "";
  const jobKey = stringOption(context.command.values, "job");
  const failed = context.command.values.failed === true;
  if (failed && jobKey) throw new UsageError("gantry rerun takes --failed or --job KEY, not both");
  const mode = jobKey ? "job" : failed ? "failed" : "all";
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const answer = await connected.api.mutation("runs.rerun", { tenant, runId, mode, ...(jobKey ? { jobKey } : {}) }, rerunAnswer);
  if (context.json) printJson(context.io, answer);
  else if (!answer.rerun) context.io.out(`Run ${answer.runId} was already re-run as attempt ${answer.runAttempt}.`);
  else context.io.out(`Re-running ${answer.jobs} job${answer.jobs === 1 ? "" : "s"} of run ${answer.runId} as attempt ${answer.runAttempt}.`);
  return 0;
}
