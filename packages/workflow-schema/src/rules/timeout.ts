import type { Rule } from "./rule";

/** `timeout-minutes` must be positive, and within the tenant limit when one is given. */
export const timeout: Rule = ({ wf, sink, tenant }) => {
  const max = tenant.maxTimeoutMinutes;
  for (const job of wf.jobs) {
    const check = (v: number | string | undefined, pos: { line: number; col: number } | undefined, what: string): void => {
      if (typeof v !== "number" || !pos) return;
      if (max !== undefined && v > max) sink.error(pos, "timeout-too-long", `${what} "timeout-minutes" is ${v} but the limit for this tenant is ${max}`);
    };
    check(job.timeoutMinutes, job.timeoutPos, `job "${job.id}"`);
    for (const s of job.steps) check(s.timeoutMinutes, s.timeoutPos, `step ${s.index + 1} of job "${job.id}"`);
  }
};
