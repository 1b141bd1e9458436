import type { ErrorSink } from "../errors";
import type { Workflow } from "../model";
import { parseActionMetadata } from "./action-metadata";
import { repoPath } from "./resolve";

const quote = (xs: string[]) => xs.map((x) => `"${x}"`).join(", ");

/** `uses: ./path` steps: the action exists, is a composite action, and gets the inputs it declares. */
export function checkLocalActions(wf: Workflow, files: Readonly<Record<string, string>>, sink: ErrorSink): void {
  for (const job of wf.jobs) {
    for (const step of job.steps) {
      const u = step.uses;
      if (!u || !(u.value.startsWith("./") || u.value === ".") || u.value.includes("${{")) continue;
      const dir = repoPath(u.value);
      if (dir === undefined) {
        sink.error(u.pos, "local-action-not-found", `local action "${u.value}" points outside the repository`);
        continue;
      }
      const file = [`${dir}/action.yml`, `${dir}/action.yaml`].map((p) => p.replace(/^\//, "")).find((p) => p in files);
      if (!file) {
        sink.error(u.pos, "local-action-not-found", `local action "${u.value}" has no action.yml or action.yaml in "${dir || "."}"`);
        continue;
      }
      const r = parseActionMetadata(files[file] ?? "");
      if (!r.ok) {
        sink.error(u.pos, "local-action-invalid", `could not parse action metadata in "${file}": ${r.message}`);
        continue;
      }
      const { meta } = r;
      if (meta.using !== "composite") {
        sink.error(u.pos, "unsupported-action", `local action "${u.value}" runs with "${meta.using ?? "?"}"; Gantry runs only composite local actions`);
        continue;
      }
      if (!meta.runsKeys.includes("steps")) {
        sink.error(u.pos, "local-action-invalid", `"steps" is required in "runs" section because "${meta.name ?? u.value}" is a composite action`);
      }
      for (const k of meta.runsKeys) {
        if (!["using", "steps"].includes(k)) sink.error(u.pos, "local-action-invalid", `"${k}" is not allowed in "runs" section because "${meta.name ?? u.value}" is a composite action`);
      }
      const given = new Map(Object.keys(step.with).map((k) => [k.toLowerCase(), k]));
      for (const i of meta.inputs) {
        if (i.required && !i.hasDefault && !given.has(i.name.toLowerCase())) {
          sink.error(u.pos, "missing-input", `missing input "${i.name}" which is required by action "${meta.name ?? u.value}" defined at "${file}"`);
        }
      }
      const declared = new Set(meta.inputs.map((i) => i.name.toLowerCase()));
      for (const [lower, k] of given) {
        if (!declared.has(lower)) {
          sink.error(step.with[k]?.pos ?? u.pos, "unknown-input", `input "${k}" is not defined in action "${meta.name ?? u.value}" defined at "${file}". available inputs are ${quote(meta.inputs.map((i) => i.name))}`);
        }
      }
    }
  }
}
