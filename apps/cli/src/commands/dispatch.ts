// gantry dispatch OWNER/NAME WORKFLOW [--ref R] [-f name=value]…: a workflow_dispatch run. WORKFLOW is the file's
// path in the repository (.gantry/workflows/ci.yml) or its name in .gantry/workflows (ci or ci.yml).
import { stringOption } from "../args";
import { dispatchAnswer, repositoriesAnswer } from "../answers";
import { connect, printJson, resolveTenant, type CommandContext } from "../context";
import { CommandFailed, UsageError } from "../errors";

export function workflowPath(workflow: string): string {
  if (workflow.includes("/")) return workflow.replace(/^\.\//, "");
  return `.gantry/workflows/${/\.ya?ml$/.test(workflow) ? workflow : `${workflow}.yml`}`;
}

/** `-f name=value` pairs as the inputs object; a name given twice is a usage error. */
export function dispatchInputs(fields: readonly string[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const field of fields) {
    const at = field.indexOf("=");
    if (at <= 0) throw new UsageError(`-f takes name=value, not ${JSON.stringify(field)}`);
    const name = field.slice(0, at);
    if (Object.hasOwn(inputs, name)) throw new UsageError(`input ${JSON.stringify(name)} is given twice`);
    inputs[name] = field.slice(at + 1);
  }
  return inputs;
}

export async function dispatch(context: CommandContext): Promise<number> {
  const [repository = "", workflow = ""] = context.command.positionals;
  const fields = context.command.values.field;
  const inputs = dispatchInputs(Array.isArray(fields) ? fields.map(String) : []);
  const ref = stringOption(context.command.values, "ref");
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const { repositories } = await connected.api.query("repositories.list", { tenant }, repositoriesAnswer);
  const target = repositories.find((candidate) => candidate.fullName === repository);
  if (!target) throw new CommandFailed(`no repository ${repository} in ${tenant} (there: ${repositories.map((candidate) => candidate.fullName).join(", ") || "none"})`);
  const path = workflowPath(workflow);
  const answer = await connected.api.mutation("runs.dispatch", { tenant, repositoryId: target.id, workflowPath: path, inputs, ...(ref ? { ref } : {}) }, dispatchAnswer);
  if (context.json) printJson(context.io, { ...answer, tenant, url: `${connected.config.url}/t/${tenant}/runs/${answer.runId}` });
  else context.io.out(`Dispatched ${path} at ${answer.ref} (${answer.sha.slice(0, 7)}): run ${answer.runId}${answer.duplicate ? " (already dispatched)" : ""}\n${connected.config.url}/t/${tenant}/runs/${answer.runId}`);
  return 0;
}
