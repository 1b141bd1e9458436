// When a runner counts as online: it pinged within the window (runners ping every few seconds). The engine's window,
// so the pages, routing around a failing runner and "why is my job waiting" agree on who is online.
import { RUNNER_ONLINE_WINDOW_MS } from "@gantry/engine";

export { RUNNER_ONLINE_WINDOW_MS };

export function isRunnerOnline(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() <= RUNNER_ONLINE_WINDOW_MS;
}
