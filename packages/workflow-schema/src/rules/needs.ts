import type { Rule } from "./rule";

/** Unknown and duplicate `needs`, and cycles (the whole cycle is named). */
export const needs: Rule = ({ wf, sink }) => {
  const byId = new Map(wf.jobs.map((j) => [j.id.toLowerCase(), j]));
  for (const job of wf.jobs) {
    const seen = new Set<string>();
    for (const n of job.needs) {
      const k = n.value.toLowerCase();
      if (seen.has(k)) sink.error(n.pos, "duplicate-needs", `job ID "${n.value}" duplicates in "needs" section. note that job ID is case insensitive`);
      seen.add(k);
      if (!byId.has(k)) {
        sink.error(n.pos, "unknown-needs", `job "${job.id}" needs job "${n.value}" which does not exist in this workflow. available jobs are ${wf.jobs.filter((j) => j !== job).map((j) => `"${j.id}"`).join(", ") || "none"}`);
      }
    }
  }
  // Iterative DFS in source order; each cycle is reported once at its first job.
  const state = new Map<string, 1 | 2>();
  const reported = new Set<string>();
  for (const start of wf.jobs) {
    const stack: string[] = [];
    const visit = (id: string): void => {
      const st = state.get(id);
      if (st === 2) return;
      if (st === 1) {
        const cycle = stack.slice(stack.indexOf(id));
        const first = cycle.reduce((a, b) => (byId.get(a)!.pos.line <= byId.get(b)!.pos.line ? a : b));
        const rot = [...cycle.slice(cycle.indexOf(first)), ...cycle.slice(0, cycle.indexOf(first))];
        const key = [...rot].sort().join(",");
        if (!reported.has(key)) {
          reported.add(key);
          const fj = byId.get(first)!;
          sink.error(fj.pos, "needs-cycle", `cyclic dependencies in "needs" job configurations are detected. detected cycle is ${[...rot, first].map((x) => `"${byId.get(x)!.id}"`).join(" -> ")}`);
        }
        return;
      }
      state.set(id, 1);
      stack.push(id);
      for (const n of byId.get(id)?.needs ?? []) if (byId.has(n.value.toLowerCase())) visit(n.value.toLowerCase());
      stack.pop();
      state.set(id, 2);
    };
    visit(start.id.toLowerCase());
  }
};
