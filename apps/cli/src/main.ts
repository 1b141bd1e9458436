// The `gantry` command: parse, run one command, turn its failure into one line and an exit status (docs/cli.md):
// 0 ok, 1 refused by the server / unreachable / the run did not succeed, 2 usage.
import { parseCommand, usage, type CommandName } from "./args";
import type { CliIo, CommandContext } from "./context";
import { CommandFailed, UsageError } from "./errors";
import { dispatch } from "./commands/dispatch";
import { login } from "./commands/login";
import { logs } from "./commands/logs";
import { poolsCreate, poolsList } from "./commands/pools";
import { cancel, rerun } from "./commands/run-actions";
import { runsList, runsView, runsWatch } from "./commands/runs";
import { secretsDelete, secretsList, secretsSet } from "./commands/secrets";
import { validate } from "./commands/validate";

export type { CliIo } from "./context";

const HANDLERS: Record<Exclude<CommandName, "help">, (context: CommandContext) => Promise<number> | number> = {
  login,
  "runs list": runsList,
  "runs view": runsView,
  "runs watch": runsWatch,
  logs,
  dispatch,
  cancel,
  rerun,
  "secrets list": secretsList,
  "secrets set": secretsSet,
  "secrets delete": secretsDelete,
  "pools list": poolsList,
  "pools create": poolsCreate,
  validate,
};

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = parseCommand(argv);
    if (command.name === "help") {
      io.out(usage());
      return argv.length === 0 ? 2 : 0;
    }
    return await HANDLERS[command.name]({ command, io, json: command.values.json === true });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`gantry: ${error.message}`);
      return 2;
    }
    if (error instanceof CommandFailed) {
      io.err(`gantry: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
