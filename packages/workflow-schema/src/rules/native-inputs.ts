import { nativeAction } from "../native-actions";
import type { Rule } from "./rule";

/** `with:` of the native actions: required inputs must be given; unknown ones are warned about (inputs differ by version). */
export const nativeInputs: Rule = ({ wf, sink }) => {
  for (const job of wf.jobs) {
    for (const step of job.steps) {
      if (!step.uses) continue;
      const native = nativeAction(step.uses.value);
      if (!native) continue;
      const given = Object.keys(step.with);
      for (const r of native.action.required) {
        if (!given.some((g) => g.toLowerCase() === r.toLowerCase())) {
          sink.error(step.uses.pos, "missing-input", `missing input "${r}" which is required by action "${native.name}"`);
        }
      }
      for (const g of given) {
        if (!native.action.inputs.some((i) => i.toLowerCase() === g.toLowerCase())) {
          sink.warn(step.with[g]?.pos ?? step.uses.pos, "unknown-input", `input "${g}" is not defined in action "${native.name}". available inputs are ${native.action.inputs.map((i) => `"${i}"`).join(", ")}`);
        }
      }
    }
  }
};
