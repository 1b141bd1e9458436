// What every command gets: its parsed command line, the process's ends (so tests can hand in their own), and — for the
// commands that talk to a server — the API client and the tenant they act in.
import { stringOption, type ParsedCommand } from "./args";
import { GantryApi, type Fetch } from "./api";
import { tenantsAnswer } from "./answers";
import { loadConfig, type Env, type StoredConfig } from "./config";
import { CommandFailed } from "./errors";

export interface CliIo {
  env: Env;
  /** One line (or block) to stdout. */
  out(text: string): void;
  /** Raw text to stdout, no newline added (log streaming). */
  write(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
  stdinIsTTY: boolean;
  fetch: Fetch;
  sleep(ms: number): Promise<void>;
  now(): Date;
  hostname: string;
}

export interface CommandContext {
  command: ParsedCommand;
  io: CliIo;
  json: boolean;
}

export interface Connected {
  api: GantryApi;
  config: StoredConfig;
}

export function connect(io: CliIo): Connected {
  const config = loadConfig(io.env);
  return { api: new GantryApi(config.url, config.token, io.fetch), config };
}

/**
 * The tenant a command acts in: --tenant, else GANTRY_TENANT or the one saved at login, else the caller's only
 * tenant; a caller in several must say which.
 */
export async function resolveTenant(context: CommandContext, connected: Connected): Promise<string> {
  const chosen = stringOption(context.command.values, "tenant") ?? connected.config.tenant;
  if (chosen) return chosen;
  const tenants = await connected.api.query("tenants.list", undefined, tenantsAnswer);
  const [only, ...others] = tenants;
  if (!only) throw new CommandFailed("this token's user is a member of no tenant: ask a tenant admin to invite you");
  if (others.length > 0) throw new CommandFailed(`you are a member of several tenants (${tenants.map((tenant) => tenant.slug).join(", ")}): add --tenant T, or gantry login … --tenant T`);
  return only.slug;
}

/** The answer as JSON (for --json). */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
