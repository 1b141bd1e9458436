import type { ErrorSink } from "../errors";
import type { Workflow } from "../model";
import { repoPath } from "./resolve";

const list = (xs: string[], one: string, many: string) =>
  xs.length === 0 ? `no ${one} is defined` : xs.length === 1 ? `defined ${one} is "${xs[0]}"` : `defined ${many} are ${xs.map((x) => `"${x}"`).join(", ")}`;

/** Jobs calling a local reusable workflow: the file exists, declares `workflow_call`, and gets the inputs and secrets it declares with the right types. */
export function checkReusableCalls(wf: Workflow, workflows: ReadonlyMap<string, Workflow | undefined>, files: Readonly<Record<string, string>>, sink: ErrorSink): void {
  for (const job of wf.jobs) {
    const u = job.uses;
    if (!u || !u.value.startsWith("./") || u.value.includes("${{")) continue;
    const p = repoPath(u.value);
    if (p === undefined || !(p in files)) {
      sink.error(u.pos, "reusable-workflow-not-found", `could not read reusable workflow file for "${u.value}": no such file in the repository`);
      continue;
    }
    const callee = workflows.get(p);
    if (!callee) continue; // the callee's own errors are reported on its file
    const call = callee.triggers.find((t) => t.event === "workflow_call");
    if (!call) {
      sink.error(u.pos, "reusable-workflow-not-callable", `"${u.value}" is not a reusable workflow: its "on" section has no "workflow_call" event`);
      continue;
    }
    const inputs = call.inputs ?? [];
    const secrets = call.secrets ?? [];
    const withKeys = new Map(Object.keys(job.with).map((k) => [k.toLowerCase(), k]));
    for (const i of inputs) {
      if (i.required && i.default === undefined && !withKeys.has(i.name.toLowerCase())) {
        sink.error(u.pos, "missing-input", `input "${i.name}" is required by "${u.value}" reusable workflow`);
      }
    }
    for (const [lower, k] of withKeys) {
      const def = inputs.find((i) => i.name.toLowerCase() === lower);
      const v = job.with[k];
      if (!def) {
        sink.error(v?.pos ?? u.pos, "unknown-input", `input "${k}" is not defined in "${u.value}" reusable workflow. ${list(inputs.map((i) => i.name), "input", "inputs")}`);
        continue;
      }
      const raw = v?.node?.value;
      if (raw === undefined || (typeof raw === "string" && raw.includes("${{"))) continue;
      const got = raw === null ? "null" : typeof raw === "boolean" ? "bool" : typeof raw === "number" ? "number" : "string";
      const okType = def.type === "any" || (def.type === "string" && (got === "string" || got === "number")) || (def.type === "number" && got === "number") || (def.type === "boolean" && got === "bool");
      if (!okType) sink.error(v?.pos ?? u.pos, "input-type", `input "${def.name}" is typed as ${def.type} by reusable workflow "${u.value}". ${got} value cannot be assigned`);
    }
    if (job.secrets === "inherit") continue;
    const given = new Map(Object.keys(job.secrets ?? {}).map((k) => [k.toLowerCase(), k]));
    for (const s of secrets) {
      if (s.required && !given.has(s.name.toLowerCase())) sink.error(u.pos, "missing-secret", `secret "${s.name}" is required by "${u.value}" reusable workflow`);
    }
    for (const [lower, k] of given) {
      if (!secrets.some((s) => s.name.toLowerCase() === lower)) {
        const v = job.secrets?.[k];
        sink.error(v?.pos ?? u.pos, "unknown-secret", `secret "${k}" is not defined in "${u.value}" reusable workflow. ${list(secrets.map((s) => s.name), "secret", "secrets")}`);
      }
    }
  }
}
