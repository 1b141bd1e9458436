// gantry pools list | create. create is runners.createPool (the pools page's procedure): its answer carries the
// pool's registration token, shown this once.
import { bytesOption, listOption, numberOption, stringOption } from "../args";
import { createPoolAnswer, poolsAnswer } from "../answers";
import { connect, printJson, resolveTenant, type CommandContext } from "../context";
import { UsageError } from "../errors";
import { table } from "../format";

const PROVIDERS = ["microvm", "gvisor", "bwrap", "process"] as const;
const EGRESS = ["none", "allowlist", "open"] as const;

function oneOf<T extends string>(raw: string | undefined, choices: readonly T[], option: string): T | undefined {
  if (raw === undefined) return undefined;
  const found = choices.find((choice) => choice === raw);
  if (!found) throw new UsageError(`--${option} takes ${choices.join(", ")}, not ${JSON.stringify(raw)}`);
  return found;
}

export async function poolsList(context: CommandContext): Promise<number> {
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const pools = await connected.api.query("runners.list", { tenant }, poolsAnswer);
  if (context.json) printJson(context.io, pools);
  else if (pools.length === 0) context.io.out(`No runner pools serve ${tenant}: gantry pools create NAME --labels … --provider …`);
  else
    context.io.out(
      table([
        ["NAME", "PROVIDER", "LABELS", "EGRESS", "RUNNERS", "SHARED"],
        ...pools.map((pool) => [pool.name, pool.provider, pool.labels.join(","), pool.egress, `${pool.onlineCount}/${pool.runners.length} online`, pool.shared ? "yes" : "no"]),
      ]),
    );
  return 0;
}

/** runners.createPool's input from the command line (the contract in docs/cli.md). */
export function poolInput(context: CommandContext) {
  const { values, positionals } = context.command;
  const labels = listOption(values, "labels");
  if (!labels || labels.length === 0) throw new UsageError("gantry pools create needs --labels a,b (the runs-on labels the pool serves)");
  const provider = oneOf(stringOption(values, "provider"), PROVIDERS, "provider");
  if (!provider) throw new UsageError(`gantry pools create needs --provider (${PROVIDERS.join(", ")})`);
  const egress = oneOf(stringOption(values, "egress"), EGRESS, "egress");
  const egressAllowlist = listOption(values, "allow");
  if (egressAllowlist && egress !== "allowlist") throw new UsageError("--allow goes with --egress allowlist");
  const optional = {
    cpus: numberOption(values, "cpus", { max: 1024 }),
    memoryBytes: bytesOption(values, "memory"),
    pids: numberOption(values, "pids", { max: 4_194_304 }),
    diskBytes: bytesOption(values, "disk"),
    maxTimeoutMinutes: numberOption(values, "max-timeout", { max: 7 * 24 * 60 }),
    egress,
    egressAllowlist,
  };
  return { name: positionals[0] ?? "", labels, provider, ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)) };
}

export async function poolsCreate(context: CommandContext): Promise<number> {
  // The command line is checked before anything is asked of the server.
  const input = poolInput(context);
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const answer = await connected.api.mutation("runners.createPool", { tenant, ...input }, createPoolAnswer);
  if (context.json) printJson(context.io, answer);
  else context.io.out(`Created pool ${answer.pool.name} (${answer.pool.id}).\nRegistration token (shown once; start a runner with GANTRY_RUNNER_TOKEN set to it):\n${answer.registrationToken}`);
  return 0;
}
