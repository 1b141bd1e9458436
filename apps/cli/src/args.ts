// The command line: which command, its options and its positional arguments, checked against one table (so the
// usage text and the parser cannot disagree). Parsing is node's util.parseArgs in strict mode.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

interface CommandSpec {
  /** The positional arguments' names, in order (`ID`, `REPO WORKFLOW`). */
  positionals: string[];
  options: Options;
  /** The usage line's options part. */
  usage: string;
  summary: string;
}

const tenant = { tenant: { type: "string" } } as const;
const json = { json: { type: "boolean" } } as const;
const secretScope = { repo: { type: "string" }, env: { type: "string" } } as const;

export const COMMANDS = {
  login: {
    positionals: [],
    options: { url: { type: "string" }, token: { type: "string" }, email: { type: "string" }, "password-stdin": { type: "boolean" }, scopes: { type: "string" }, name: { type: "string" }, "expires-in-days": { type: "string" }, ...tenant },
    usage: "--url URL (--token TOKEN | --email E --password-stdin [--scopes runs:read,runs:write,admin] [--expires-in-days N|never] [--name N]) [--tenant T]",
    summary: "save the server and an API token (or exchange a password for a new one) in the config file",
  },
  "runs list": {
    positionals: [],
    options: { ...tenant, repo: { type: "string" }, branch: { type: "string" }, event: { type: "string" }, status: { type: "string" }, actor: { type: "string" }, workflow: { type: "string" }, search: { type: "string" }, limit: { type: "string" }, cursor: { type: "string" }, ...json },
    usage: "[--repo OWNER/NAME] [--branch B] [--event E] [--status S] [--actor A] [--workflow W] [--search TEXT] [--limit N] [--cursor C] [--tenant T] [--json]",
    summary: "runs, newest first, filtered; --cursor pages back",
  },
  "runs view": { positionals: ["ID"], options: { ...tenant, ...json }, usage: "ID [--tenant T] [--json]", summary: "one run and its jobs" },
  "runs watch": { positionals: ["ID"], options: { ...tenant, interval: { type: "string" }, ...json }, usage: "ID [--tenant T] [--interval SECONDS] [--json]", summary: "job status until the run ends (exit 0 succeeded, 1 not)" },
  logs: { positionals: ["ID"], options: { ...tenant, job: { type: "string" }, follow: { type: "boolean" }, interval: { type: "string" } }, usage: "ID [--job KEY] [--follow] [--tenant T]", summary: "a run's logs; --follow until it ends (exit 0 succeeded, 1 not)" },
  dispatch: { positionals: ["REPO", "WORKFLOW"], options: { ...tenant, ref: { type: "string" }, field: { type: "string", short: "f", multiple: true }, ...json }, usage: "OWNER/NAME WORKFLOW [--ref R] [-f name=value]… [--tenant T] [--json]", summary: "start a workflow_dispatch run" },
  cancel: { positionals: ["ID"], options: { ...tenant, job: { type: "string" }, ...json }, usage: "ID [--job KEY] [--tenant T] [--json]", summary: "cancel a run (or one job)" },
  rerun: { positionals: ["ID"], options: { ...tenant, failed: { type: "boolean" }, job: { type: "string" }, ...json }, usage: "ID [--failed | --job KEY] [--tenant T] [--json]", summary: "re-run an ended run (all jobs, the failed ones, or one)" },
  "secrets list": { positionals: [], options: { ...tenant, ...secretScope, ...json }, usage: "[--repo OWNER/NAME [--env E]] [--tenant T] [--json]", summary: "secret names (never values)" },
  "secrets set": { positionals: ["NAME"], options: { ...tenant, ...secretScope, body: { type: "string" }, ...json }, usage: "NAME [--body VALUE | < file] [--repo OWNER/NAME [--env E]] [--tenant T]", summary: "set a secret from --body or stdin" },
  "secrets delete": { positionals: ["NAME"], options: { ...tenant, ...secretScope, ...json }, usage: "NAME [--repo OWNER/NAME [--env E]] [--tenant T]", summary: "delete a secret" },
  "pools list": { positionals: [], options: { ...tenant, ...json }, usage: "[--tenant T] [--json]", summary: "runner pools and their runners" },
  "pools create": {
    positionals: ["NAME"],
    options: { ...tenant, labels: { type: "string" }, provider: { type: "string" }, cpus: { type: "string" }, memory: { type: "string" }, pids: { type: "string" }, disk: { type: "string" }, "max-timeout": { type: "string" }, egress: { type: "string" }, allow: { type: "string" }, ...json },
    usage: "NAME --labels a,b --provider microvm|gvisor|bwrap|process [--cpus N] [--memory 2G] [--pids N] [--disk 10G] [--max-timeout MINUTES] [--egress none|allowlist|open] [--allow host,…] [--tenant T] [--json]",
    summary: "create a pool; prints its registration token once",
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS | "validate" | "help";

export interface ParsedCommand {
  name: CommandName;
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  /** For `validate`: the arguments as given, handed to workflow-schema's own parser. */
  rest: string[];
}

const GROUPS = new Set(["runs", "secrets", "pools"]);

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, spec]) => `  gantry ${name} ${spec.usage}\n      ${spec.summary}`);
  return [
    "usage: gantry <command> [options]",
    ...lines,
    "  gantry validate [--json] [--labels a,b] [--secrets X,Y] [--max-timeout N] [--injection-error] [--config tenant.json] (--root DIR | <files…>)",
    "      check workflow files offline",
    "Server and token: the config file ($XDG_CONFIG_HOME/gantry/config.json), or GANTRY_URL, GANTRY_TOKEN, GANTRY_TENANT.",
    "Exit status: 0 ok, 1 refused or the run did not succeed, 2 usage.",
  ].join("\n");
}

function isCommand(name: string): name is keyof typeof COMMANDS {
  return Object.hasOwn(COMMANDS, name);
}

/** The command in argv, or a UsageError naming what is wrong. */
export function parseCommand(argv: readonly string[]): ParsedCommand {
  const [first, second] = argv;
  if (first === undefined || first === "help" || first === "--help" || first === "-h") return { name: "help", values: {}, positionals: [], rest: [] };
  if (first === "validate") return { name: "validate", values: {}, positionals: [], rest: argv.slice(1) };
  const grouped = GROUPS.has(first);
  if (grouped && (second === undefined || second.startsWith("-"))) {
    const choices = Object.keys(COMMANDS).filter((name) => name.startsWith(`${first} `)).map((name) => name.split(" ")[1]);
    throw new UsageError(`${first} needs a subcommand: ${choices.join(", ")}`);
  }
  const name = grouped ? `${first} ${second ?? ""}` : first;
  if (!isCommand(name)) throw new UsageError(`unknown command "${name}" (gantry help lists them)`);
  const spec: CommandSpec = COMMANDS[name];
  let parsed;
  try {
    parsed = parseArgs({ args: argv.slice(grouped ? 2 : 1), options: spec.options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\nusage: gantry ${name} ${spec.usage}`);
  }
  if (parsed.positionals.length !== spec.positionals.length) {
    const wanted = spec.positionals.length === 0 ? "no arguments" : spec.positionals.join(" ");
    throw new UsageError(`gantry ${name} takes ${wanted}, got ${parsed.positionals.length === 0 ? "none" : parsed.positionals.map((p) => JSON.stringify(p)).join(" ")}\nusage: gantry ${name} ${spec.usage}`);
  }
  return { name, values: parsed.values, positionals: parsed.positionals, rest: [] };
}

/** A string option's value, if given. */
export function stringOption(values: ParsedCommand["values"], name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** A positive whole number option (`--limit 10`), or a UsageError naming the option. */
export function numberOption(values: ParsedCommand["values"], name: string, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value < min || value > max) throw new UsageError(`--${name} needs a number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  return value;
}

/** A comma-separated list option (`--labels a,b`). */
export function listOption(values: ParsedCommand["values"], name: string): string[] | undefined {
  const raw = stringOption(values, name);
  return raw === undefined ? undefined : raw.split(",").map((part) => part.trim()).filter(Boolean);
}

/** `2G`, `512M`, `1048576`: bytes (binary units). */
export function bytesOption(values: ParsedCommand["values"], name: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const match = /^(\d+)\s*([KMGT]i?B?|B)?$/i.exec(raw.trim());
  if (!match?.[1]) throw new UsageError(`--${name} needs a size like 512M, 2G or a byte count, not ${JSON.stringify(raw)}`);
  const unit = (match[2] ?? "B").toUpperCase()[0] ?? "B";
  const power = { B: 0, K: 1, M: 2, G: 3, T: 4 }[unit] ?? 0;
  return Number(match[1]) * 1024 ** power;
}
