// When a runner counts as online: it pinged within the window (runners ping every few seconds).
export const RUNNER_ONLINE_WINDOW_MS = 30_000;

export function isRunnerOnline(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() <= RUNNER_ONLINE_WINDOW_MS;
}
