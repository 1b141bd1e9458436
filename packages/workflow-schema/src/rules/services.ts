import type { Rule } from "./rule";

/**
 * `services:` parse and plan, but no sandbox provider starts service containers yet: say so where the workflow names
 * them (a warning, shown with the run and as a neutral check), rather than let a job fail later on a database that
 * never came up.
 */
export const services: Rule = ({ wf, sink }) => {
  for (const job of wf.jobs) {
    const first = job.services[0];
    if (!first) continue;
    const names = job.services.map((service) => `"${service.id}"`).join(", ");
    sink.warn(first.pos, "services-not-started", `job "${job.id}" declares service containers (${names}): Gantry does not start service containers yet, so its steps run without them`);
  }
};
