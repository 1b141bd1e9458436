import { parseCron, shortestIntervalSeconds } from "../cron";
import type { Rule } from "./rule";

/** `schedule` cron strings: 5 fields, valid values, at most once every 5 minutes. */
export const cron: Rule = ({ wf, sink }) => {
  for (const t of wf.triggers) {
    for (const c of t.crons ?? []) {
      const r = parseCron(c.value);
      if (!r.ok) {
        sink.error(c.pos, "invalid-cron", `invalid CRON format "${c.value}" in schedule event: ${r.message}`);
        continue;
      }
      const secs = shortestIntervalSeconds(r.cron);
      if (secs < 300) {
        // GitHub accepts these and runs them at most every 5 minutes.
        sink.warn(c.pos, "cron-too-frequent", `scheduled job runs too frequently. it runs once per ${secs} seconds. the shortest interval is once every 5 minutes`);
      }
    }
  }
};
