// gantry login: check the token against the server (tenants.list) before saving it, so a typo is caught now and not at
// the next command. With --email and --password-stdin the password is exchanged for a new token (POST /api/cli/token)
// and only the token is kept: the password never touches the disk.
import { z } from "zod";
import { listOption, numberOption, stringOption } from "../args";
import { GantryApi, readJson, send } from "../api";
import { exchangeAnswer, tenantsAnswer } from "../answers";
import { saveConfig } from "../config";
import type { CommandContext } from "../context";
import { CommandFailed, UsageError } from "../errors";

const SCOPES = ["runs:read", "runs:write", "admin"] as const;
const DEFAULT_SCOPES = ["runs:read", "runs:write"];
const DEFAULT_EXPIRY_DAYS = 90;

function serverUrl(raw: string | undefined): string {
  if (!raw) throw new UsageError("gantry login needs --url, e.g. --url https://gantry.example.com");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(raw)} is not a URL (e.g. https://gantry.example.com)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--url must be http(s), not ${url.protocol}`);
  return url.origin + url.pathname.replace(/\/+$/, "");
}

function requestedScopes(context: CommandContext): string[] {
  const scopes = listOption(context.command.values, "scopes") ?? DEFAULT_SCOPES;
  const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0 || scopes.length === 0) throw new UsageError(`--scopes takes ${SCOPES.join(", ")} (comma-separated), not ${unknown.join(", ") || "nothing"}`);
  return scopes;
}

function expiryDays(context: CommandContext): number | null {
  if (stringOption(context.command.values, "expires-in-days") === "never") return null;
  return numberOption(context.command.values, "expires-in-days", { max: 366 }) ?? DEFAULT_EXPIRY_DAYS;
}

async function exchangePassword(context: CommandContext, url: string, email: string): Promise<string> {
  if (context.io.stdinIsTTY) throw new UsageError("--password-stdin reads the password from stdin: pipe it in (e.g. < password-file)");
  const password = (await context.io.readStdin()).replace(/\r?\n$/, "");
  if (!password) throw new UsageError("--password-stdin got an empty password");
  // The server takes names of up to 100 characters; a long host name is cut, not refused.
  const name = stringOption(context.command.values, "name") ?? `gantry CLI on ${context.io.hostname}`.slice(0, 100);
  const endpoint = `${url}/api/cli/token`;
  const response = await send(context.io.fetch, endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, name, scopes: requestedScopes(context), expiresInDays: expiryDays(context) }),
  });
  const body = await readJson(response, endpoint);
  if (response.status !== 201) {
    const message = z.object({ message: z.string() }).safeParse(body);
    throw new CommandFailed(`login refused (${response.status}): ${message.success ? message.data.message : "no reason given"}`);
  }
  const issued = exchangeAnswer.safeParse(body);
  if (!issued.success) throw new CommandFailed(`${endpoint} answered in an unexpected shape: is ${url} a Gantry server?`);
  return issued.data.token;
}

export async function login(context: CommandContext): Promise<number> {
  const { values } = context.command;
  const url = serverUrl(stringOption(values, "url"));
  const token = stringOption(values, "token");
  const email = stringOption(values, "email");
  if ((token === undefined) === (email === undefined)) throw new UsageError("gantry login takes --token TOKEN or --email E --password-stdin (one of them)");
  if (email !== undefined && values["password-stdin"] !== true) throw new UsageError("--email needs --password-stdin (the password is read from stdin, never from the command line)");
  if (token !== undefined && (values.scopes !== undefined || values["expires-in-days"] !== undefined || values.name !== undefined)) {
    throw new UsageError("--scopes, --expires-in-days and --name shape a new token: they go with --email, not --token");
  }
  const saved = token ?? (await exchangePassword(context, url, email ?? ""));
  const tenants = await new GantryApi(url, saved, context.io.fetch).query("tenants.list", undefined, tenantsAnswer);
  const tenant = stringOption(values, "tenant");
  if (tenant && !tenants.some((candidate) => candidate.slug === tenant)) throw new CommandFailed(`you are not a member of tenant '${tenant}' (yours: ${tenants.map((candidate) => candidate.slug).join(", ") || "none"})`);
  const file = saveConfig(context.io.env, { url, token: saved, ...(tenant ? { tenant } : {}) });
  context.io.out(`Logged in to ${url} (tenants: ${tenants.map((candidate) => `${candidate.slug} as ${candidate.role.toLowerCase()}`).join(", ") || "none"}); token saved in ${file}.`);
  return 0;
}
