// Absolute paths of the host tools the providers exec, so a job's PATH never picks them. Looked up once per
// process: each lookup is a shell spawn, which would otherwise land on every sandbox's cold start.
import { spawnSync } from "node:child_process";

const resolved = new Map<string, string | undefined>();

export function which(command: string): string | undefined {
  if (resolved.has(command)) return resolved.get(command);
  const found = spawnSync("/bin/sh", ["-c", 'command -v "$1"', "sh", command], { encoding: "utf8" });
  const path = found.stdout.trim();
  const result = found.status === 0 && path.startsWith("/") ? path : undefined;
  resolved.set(command, result);
  return result;
}
