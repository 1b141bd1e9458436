import type { Rule } from "./rule";

/** Actions Gantry runs natively, at any version. */
export const NATIVE_ACTIONS = ["actions/checkout", "actions/cache", "actions/upload-artifact", "actions/download-artifact"];

export type UsesKind = "local-action" | "native" | "docker" | "remote";

export function classifyUses(uses: string): UsesKind {
  if (uses.startsWith("./") || uses === ".") return "local-action";
  if (uses.startsWith("docker://")) return "docker";
  const at = uses.indexOf("@");
  const name = (at >= 0 ? uses.slice(0, at) : uses).toLowerCase();
  return NATIVE_ACTIONS.includes(name) && at > 0 ? "native" : "remote";
}

/** Steps may use local actions and the native actions; jobs may call local reusable workflows. */
export const uses: Rule = ({ wf, sink }) => {
  for (const job of wf.jobs) {
    if (job.uses) {
      const u = job.uses.value;
      if (!u.startsWith("./")) {
        sink.error(job.uses.pos, "unsupported-reusable-workflow", `reusable workflow "${u}" is not supported: Gantry calls only local reusable workflows ("./.github/workflows/x.yml" or "./.gantry/workflows/x.yml")`);
      } else if (!/\.ya?ml$/.test(u) || u.includes("@")) {
        sink.error(job.uses.pos, "invalid-reusable-workflow", `local reusable workflow call "${u}" must be a path to a .yml or .yaml file without a version`);
      }
    }
    for (const s of job.steps) {
      if (!s.uses || s.uses.value.includes("${{")) continue;
      const u = s.uses.value;
      const kind = classifyUses(u);
      if (kind === "docker") {
        sink.error(s.uses.pos, "unsupported-action", `Docker actions ("${u}") are not supported. supported actions are local actions ("./path") and ${NATIVE_ACTIONS.map((a) => `"${a}"`).join(", ")}`);
      } else if (kind === "remote") {
        if (!/^[^/@\s]+\/[^@\s]+@[^@\s]+$/.test(u)) {
          sink.error(s.uses.pos, "invalid-uses", `specifying action "${u}" in invalid format. available formats are "{owner}/{repo}@{ref}", "{owner}/{repo}/{path}@{ref}" or "./path"`);
        } else {
          sink.error(s.uses.pos, "unsupported-action", `action "${u}" is not supported. supported actions are local actions ("./path") and ${NATIVE_ACTIONS.map((a) => `"${a}"`).join(", ")} at any version`);
        }
      }
    }
  }
};
