// Absolute paths of the host tools the providers exec, so a job's PATH never picks them.
import { spawnSync } from "node:child_process";

export function which(command: string): string | undefined {
  const found = spawnSync("/bin/sh", ["-c", 'command -v "$1"', "sh", command], { encoding: "utf8" });
  const resolved = found.stdout.trim();
  return found.status === 0 && resolved.startsWith("/") ? resolved : undefined;
}
