import type { Rule } from "./rule";

/** With the tenant's pool labels, every static `runs-on` label must be one of them. */
export const runnerLabel: Rule = ({ wf, sink, tenant }) => {
  const labels = tenant.poolLabels;
  if (!labels) return;
  const known = new Set(labels.map((l) => l.toLowerCase()));
  for (const job of wf.jobs) {
    for (const l of job.runsOn) {
      if (l.value.includes("${{")) continue;
      if (!known.has(l.value.toLowerCase())) {
        sink.error(l.pos, "unknown-runner-label", `label "${l.value}" is unknown. available labels are ${labels.map((x) => `"${x}"`).join(", ")}`);
      }
    }
  }
};
