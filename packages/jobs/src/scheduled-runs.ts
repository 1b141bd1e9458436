// The idempotency key of the run one firing of a `schedule:` cron makes, and the cron read back from it
// (`github.event.schedule`): the worker writes it, and both the worker's `if` and the claim's event read it.

const ISO_LENGTH = "2026-01-01T00:00:00.000Z".length;

/** `schedule:<repositoryId>:<workflowPath>:<cron>:<tick time ISO>`: one run per firing, however often it fires. */
export function scheduledRunKey(repositoryId: string, entry: { workflowPath: string; cron: string }, tickAt: Date): string {
  return `schedule:${repositoryId}:${entry.workflowPath}:${entry.cron}:${tickAt.toISOString()}`;
}

/** The cron a scheduled run was fired by, read back from its idempotency key. */
export function cronOfScheduledRun(idempotencyKey: string): string | undefined {
  if (!idempotencyKey.startsWith("schedule:") || idempotencyKey.length <= ISO_LENGTH + 1) return undefined;
  const withoutTick = idempotencyKey.slice(0, -(ISO_LENGTH + 1));
  // A cron has no colon; the workflow path before it may.
  const cron = withoutTick.slice(withoutTick.lastIndexOf(":") + 1);
  return cron === "" ? undefined : cron;
}
