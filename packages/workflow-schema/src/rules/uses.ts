import { actionRefusal } from "../actions-policy";
import type { Step } from "../model";
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

/**
 * Why `uses` is not a well-formed `{owner}/{repo}[/{path}]@{ref}`, as actionlint words it; undefined when it is.
 * The path may not climb out of the repository.
 */
export function remoteActionFormatProblem(uses: string): string | undefined {
  if (/\s/.test(uses)) return "it contains whitespace";
  const at = uses.indexOf("@");
  if (at < 0) return "ref is missing";
  const ref = uses.slice(at + 1);
  if (ref === "") return "ref is empty";
  if (ref.includes("@")) return `ref "${ref}" contains "@"`;
  const [owner, repo, ...path] = uses.slice(0, at).split("/");
  if (repo === undefined) return "repository is missing";
  if (!owner) return "owner is empty";
  if (!repo) return "repository is empty";
  if (path.some((p) => p === "" || p === "." || p === "..")) return `path "${path.join("/")}" has an empty, "." or ".." part`;
  return undefined;
}

const stepLabel = (s: Step) => (s.id ? `"${s.id.value}"` : s.name ? `"${s.name.value}"` : `#${s.index + 1}`);

/**
 * Steps may use local actions, the native actions, and remote JavaScript or composite actions
 * (`owner/repo[/path]@ref`, resolved and run as published) that the tenant's allowed-actions policy allows; docker
 * actions need a container runtime no pool has yet. Jobs may call local reusable workflows.
 */
export const uses: Rule = ({ wf, sink, tenant }) => {
  for (const job of wf.jobs) {
    if (job.uses) {
      const u = job.uses.value;
      if (!u.startsWith("./")) {
        sink.error(job.uses.pos, "unsupported-reusable-workflow", `reusable workflow "${u}" is not supported: Gantry calls only local reusable workflows ("./.github/workflows/x.yml" or "./.gantry/workflows/x.yml"), not workflows of other repositories`);
      } else if (!/\.ya?ml$/.test(u) || u.includes("@")) {
        sink.error(job.uses.pos, "invalid-reusable-workflow", `local reusable workflow call "${u}" must be a path to a .yml or .yaml file without a version`);
      }
    }
    for (const s of job.steps) {
      if (!s.uses || s.uses.value.includes("${{")) continue;
      const u = s.uses.value;
      const kind = classifyUses(u);
      if (kind === "local-action") continue;
      if (kind === "docker") {
        sink.error(s.uses.pos, "unsupported-action", `step ${stepLabel(s)} (uses "${u}"): docker actions need a pool with a container runtime, and no Gantry pool has one yet`);
        continue;
      }
      const problem = remoteActionFormatProblem(u);
      if (problem) {
        sink.error(s.uses.pos, "invalid-uses", `specifying action "${u}" in invalid format because ${problem}. available formats are "{owner}/{repo}@{ref}", "{owner}/{repo}/{path}@{ref}" or "./path"`);
        continue;
      }
      const refusal = tenant.allowedActions ? actionRefusal(tenant.allowedActions, u) : null;
      if (refusal) sink.error(s.uses.pos, "action-not-allowed", refusal);
    }
  }
};
