// Parses `::name key=value,…::message` lines printed by a step (GitHub's workflow command syntax).
// Commands that change the environment (`set-env`, `add-path`) are refused as GitHub does since
// CVE-2020-15228: only the file commands may do that.

export interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  message: string;
}

const LINE = /^\s*::([A-Za-z][\w-]*)(?:\s+([^:]*))?::(.*)$/;

// GitHub's escaping of command data and property values.
const unescapeData = (s: string) => s.replace(/%0D/gi, "\r").replace(/%0A/gi, "\n").replace(/%25/g, "%");
const unescapeProperty = (s: string) => unescapeData(s).replace(/%3A/gi, ":").replace(/%2C/gi, ",");

export function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const match = LINE.exec(line.replace(/\r$/, ""));
  if (!match) return undefined;
  const [, name = "", props, message = ""] = match;
  const properties: Record<string, string> = {};
  for (const pair of (props ?? "").split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
  }
  return { name: name.toLowerCase(), properties, message: unescapeData(message) };
}
