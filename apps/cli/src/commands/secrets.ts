// gantry secrets list | set | delete: names and dates only ever come back; a value goes in from --body or stdin.
import { stringOption } from "../args";
import { secretDeleteAnswer, secretSetAnswer, secretsListAnswer } from "../answers";
import { connect, printJson, resolveTenant, type CommandContext } from "../context";
import { UsageError } from "../errors";
import { table, when } from "../format";

type SecretScope = { kind: "tenant" } | { kind: "repository"; repository: string } | { kind: "environment"; repository: string; environment: string };

export function secretScope(values: CommandContext["command"]["values"]): SecretScope {
  const repository = stringOption(values, "repo");
  const environment = stringOption(values, "env");
  if (environment !== undefined && repository === undefined) throw new UsageError("--env names an environment of a repository: add --repo OWNER/NAME");
  if (repository === undefined) return { kind: "tenant" };
  return environment === undefined ? { kind: "repository", repository } : { kind: "environment", repository, environment };
}

function scopeLabel(scope: SecretScope, tenant: string): string {
  return scope.kind === "tenant" ? `tenant ${tenant}` : scope.kind === "repository" ? scope.repository : `${scope.repository} environment ${scope.environment}`;
}

export async function secretsList(context: CommandContext): Promise<number> {
  const scope = secretScope(context.command.values);
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const secrets = await connected.api.query("secrets.list", { tenant, scope }, secretsListAnswer);
  if (context.json) printJson(context.io, secrets);
  else if (secrets.length === 0) context.io.out(`No secrets for ${scopeLabel(scope, tenant)}.`);
  else context.io.out(table([["NAME", "UPDATED"], ...secrets.map((secret) => [secret.name, when(secret.updatedAt)])]));
  return 0;
}

export async function secretsSet(context: CommandContext): Promise<number> {
  const scope = secretScope(context.command.values);
  const name = context.command.positionals[0] ?? "";
  let value = stringOption(context.command.values, "body");
  if (value === undefined) {
    if (context.io.stdinIsTTY) throw new UsageError("give the value with --body VALUE or on stdin (gantry secrets set NAME < file)");
    // One trailing newline is the shell's (echo, a file's last line), not the secret's.
    value = (await context.io.readStdin()).replace(/\r?\n$/, "");
  }
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const answer = await connected.api.mutation("secrets.set", { tenant, scope, name, value }, secretSetAnswer);
  if (context.json) printJson(context.io, answer);
  else context.io.out(`${answer.created ? "Created" : "Updated"} secret ${answer.name} for ${scopeLabel(scope, tenant)}.`);
  return 0;
}

export async function secretsDelete(context: CommandContext): Promise<number> {
  const scope = secretScope(context.command.values);
  const connected = connect(context.io);
  const tenant = await resolveTenant(context, connected);
  const answer = await connected.api.mutation("secrets.delete", { tenant, scope, name: context.command.positionals[0] ?? "" }, secretDeleteAnswer);
  if (context.json) printJson(context.io, answer);
  else context.io.out(`Deleted secret ${answer.name} from ${scopeLabel(scope, tenant)}.`);
  return 0;
}
