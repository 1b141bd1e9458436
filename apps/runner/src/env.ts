import os from "node:os";
import path from "node:path";
import { z } from "zod";

/** The runner's env: it knows the control plane's URL and a pool registration token, nothing else. */
export const runnerEnvSchema = z.object({
  /** Base URL of the control plane (apps/web), e.g. http://127.0.0.1:3000 */
  GANTRY_URL: z.string({ error: "GANTRY_URL is not set: the control plane's URL, e.g. http://127.0.0.1:3000" }).url("GANTRY_URL is not a URL"),
  /** The runner pool's registration token (printed by the up-command, stored in .gantry/runner-token). */
  GANTRY_RUNNER_TOKEN: z.string({ error: "GANTRY_RUNNER_TOKEN is not set: the pool's registration token" }).min(20, "GANTRY_RUNNER_TOKEN is too short to be a token"),
  /** This runner's name within its pool. */
  GANTRY_RUNNER_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/).default(os.hostname().replace(/[^A-Za-z0-9._-]/g, "-")),
  /** Jobs this runner may run at once. */
  GANTRY_RUNNER_CAPACITY: z.coerce.number().int().min(1).max(256).default(1),
  /**
   * Development mode ("1"/"true"): allows the `process` provider (no isolation) for pools configured with it,
   * still only for trusted runs. Off in production, where a `process` pool is refused.
   */
  GANTRY_RUNNER_DEV_MODE: z
    .enum(["", "0", "1", "false", "true"], { error: "GANTRY_RUNNER_DEV_MODE is 1/true or 0/false" })
    .default("")
    .transform((value) => value === "1" || value === "true"),
  /** The runner's own state (the downloaded actions by sha-256, the default tool cache); default ~/.gantry. */
  GANTRY_STATE_DIR: z.string().min(1).optional(),
  /**
   * The persistent tool cache (RUNNER_TOOL_CACHE) that setup-node, setup-python and friends look in before they
   * download; default `<GANTRY_STATE_DIR>/tool-cache`. Read-only for untrusted jobs, writable for trusted ones.
   */
  GANTRY_TOOL_CACHE: z.string().min(1).optional(),
});

export type RunnerEnv = z.infer<typeof runnerEnvSchema>;

export function parseRunnerEnv(source: Record<string, string | undefined>): RunnerEnv {
  return runnerEnvSchema.parse(source);
}

/** The runner's state folder, absolute. */
export function runnerStateDir(env: Pick<RunnerEnv, "GANTRY_STATE_DIR">): string {
  return path.resolve(env.GANTRY_STATE_DIR ?? path.join(os.homedir(), ".gantry"));
}

/** The tool cache's folder on the host, absolute. */
export function toolCacheDir(env: Pick<RunnerEnv, "GANTRY_STATE_DIR" | "GANTRY_TOOL_CACHE">): string {
  return path.resolve(env.GANTRY_TOOL_CACHE ?? path.join(runnerStateDir(env), "tool-cache"));
}
