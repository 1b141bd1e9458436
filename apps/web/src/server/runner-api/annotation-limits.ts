// How many annotations a step and a job keep, as GitHub bounds them: at most 10 of each level (error, warning,
// notice) per step and 50 per job attempt; the first ones win (they are usually the cause, the rest its echo). A
// runner may report up to 200 per step (the protocol's cap); what is over these limits is dropped, not stored.
export const ANNOTATIONS_PER_STEP_PER_LEVEL = 10;
export const ANNOTATIONS_PER_JOB = 50;

/** The annotations of one step report that fit, given how many the attempt's other steps hold already. */
export function boundAnnotations<T extends { level: string }>(annotations: readonly T[], heldByOtherSteps: number): T[] {
  const perLevel = new Map<string, number>();
  const room = Math.max(0, ANNOTATIONS_PER_JOB - heldByOtherSteps);
  const kept: T[] = [];
  for (const annotation of annotations) {
    if (kept.length >= room) break;
    const count = perLevel.get(annotation.level) ?? 0;
    if (count >= ANNOTATIONS_PER_STEP_PER_LEVEL) continue;
    perLevel.set(annotation.level, count + 1);
    kept.push(annotation);
  }
  return kept;
}
