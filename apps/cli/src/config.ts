// Where the CLI keeps its server and token: $XDG_CONFIG_HOME/gantry/config.json (~/.config/gantry/config.json when
// unset), readable by its owner only (the token is a password: mode 0600 in a 0700 folder). GANTRY_URL,
// GANTRY_TOKEN and GANTRY_TENANT override the file, for CI and scripts that keep no file.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CommandFailed } from "./errors";

export const storedConfig = z.object({
  url: z.string().url(),
  token: z.string().min(1),
  /** The tenant commands use when --tenant is not given. */
  tenant: z.string().min(1).optional(),
});
export type StoredConfig = z.infer<typeof storedConfig>;

export type Env = Record<string, string | undefined>;

export function configPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || "/", ".config");
  return path.join(base, "gantry", "config.json");
}

function readStored(file: string): Partial<StoredConfig> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return {};
    throw new CommandFailed(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CommandFailed(`${file} is not JSON: run gantry login again`);
  }
  const parsed = storedConfig.partial().safeParse(json);
  if (!parsed.success) throw new CommandFailed(`${file}: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}; run gantry login again`);
  return parsed.data;
}

/** The server, token and default tenant this command uses: the environment's over the file's. */
export function loadConfig(env: Env): StoredConfig {
  const file = configPath(env);
  const stored = readStored(file);
  const url = env.GANTRY_URL || stored.url;
  const token = env.GANTRY_TOKEN || stored.token;
  const tenant = env.GANTRY_TENANT || stored.tenant;
  if (!url || !token) throw new CommandFailed(`not logged in: run gantry login --url URL --token TOKEN (or set GANTRY_URL and GANTRY_TOKEN); no ${url ? "token" : "server"} in ${file}`);
  return { url: url.replace(/\/+$/, ""), token, ...(tenant ? { tenant } : {}) };
}

export function saveConfig(env: Env, config: StoredConfig): string {
  const file = configPath(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(storedConfig.parse(config), null, 2)}\n`, { mode: 0o600 });
  // An existing file keeps its mode through writeFileSync: make sure it is the owner's alone.
  chmodSync(file, 0o600);
  return file;
}
