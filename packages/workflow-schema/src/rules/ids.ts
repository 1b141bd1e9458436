import type { Rule } from "./rule";

const ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Job and step ids: GitHub's naming rule; step ids unique (case-insensitively) within a job. */
export const ids: Rule = ({ wf, sink }) => {
  for (const job of wf.jobs) {
    if (!ID.test(job.id)) {
      sink.error(job.pos, "invalid-job-id", `invalid job ID "${job.id}". job ID must start with a letter or _ and contain only alphanumeric characters, -, or _`);
    }
    const seen = new Map<string, { line: number; col: number }>();
    for (const s of job.steps) {
      if (!s.id || s.id.value.includes("${{")) continue;
      if (!ID.test(s.id.value)) {
        sink.error(s.id.pos, "invalid-step-id", `invalid step ID "${s.id.value}". step ID must start with a letter or _ and contain only alphanumeric characters, -, or _`);
      }
      const k = s.id.value.toLowerCase();
      const prev = seen.get(k);
      if (prev) {
        sink.error(s.id.pos, "duplicate-step-id", `step ID "${s.id.value}" duplicates. previously defined at line:${prev.line},col:${prev.col}. step ID must be unique within a job. note that step ID is case insensitive`);
      } else seen.set(k, s.id.pos);
    }
  }
};
