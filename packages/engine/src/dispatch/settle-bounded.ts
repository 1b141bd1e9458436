// A batch's per-job work at most `limit` at a time. The jobs of one claim answer are prepared side by side, but the
// database pool has ~10 connections shared with every other request (step reports, logs, completions): a batch of 16
// jobs with four reads each queued at once made a completion wait over 2 s for a connection to begin its transaction
// (Prisma P2028) during a 256-cell fan-out.
export async function settleBounded<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await work(items[index] as T, index) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
