// What a step hands a sandbox's exec (argv, env, cwd) holds values the job shaped: a GITHUB_ENV line, a
// working-directory, an input. A NUL byte cannot be in a C string, and bwrap reads its arguments NUL-separated
// (`--args`), so one would split a value into arguments of the job's choosing (`--bind / /tmp`). Refused here,
// for every provider, before anything starts.
import type { ExecRequest } from "../sandbox/types";

/** Why the request cannot be passed on as it is, naming the value; undefined when it can. */
export function unsafeExecValue(request: Pick<ExecRequest, "argv" | "env" | "cwd">): string | undefined {
  if (request.cwd.includes("\0")) return `working-directory ${JSON.stringify(request.cwd)} holds a NUL byte`;
  for (const [name, value] of Object.entries(request.env)) {
    if (name === "" || name.includes("=") || name.includes("\0")) return `env name ${JSON.stringify(name)} is not a variable name`;
    if (value.includes("\0")) return `env ${name} holds a NUL byte`;
  }
  const arg = request.argv.find((one) => one.includes("\0"));
  if (arg !== undefined) return `argument ${JSON.stringify(arg)} holds a NUL byte`;
  return undefined;
}
