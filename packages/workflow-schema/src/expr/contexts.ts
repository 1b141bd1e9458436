import type { Job, Workflow } from "../model";
import { cellsFromValue } from "../compile/matrix";
import { nativeAction } from "../native-actions";
import { isStaticTemplate, resolveTemplate } from "./template";
import { ANY, BOOL, NUMBER, STRING, mapOf, merge, obj, typeOfValue } from "./types";
import type { Ty } from "./types";

const GITHUB_PROPS = [
  "action", "action_path", "action_ref", "action_repository", "action_status", "actor", "actor_id", "api_url",
  "base_ref", "env", "event_name", "event_path", "graphql_url", "head_ref", "job", "job_workflow_sha", "path", "ref",
  "ref_name", "ref_protected", "ref_type", "repository", "repository_id", "repository_owner", "repository_owner_id",
  "repositoryurl", "repository_visibility", "retention_days", "run_id", "run_number", "run_attempt", "secret_source",
  "server_url", "sha", "token", "triggering_actor", "workflow", "workflow_ref", "workflow_sha", "workspace", "output",
  "state", "step_summary", "enterprise_managed_user", "artifact_cache_size_limit",
];

export const GITHUB_TYPE: Ty = obj({
  ...Object.fromEntries(GITHUB_PROPS.map((p) => [p, STRING])),
  event: mapOf(ANY),
  ref_protected: BOOL,
  run_attempt: STRING,
});

/** `github`, with `github.event.inputs` typed when `workflow_dispatch` declares inputs. */
export function githubType(wf: Workflow): Ty {
  const d = wf.triggers.find((t) => t.event === "workflow_dispatch" && t.inputs);
  if (!d || GITHUB_TYPE.k !== "object") return GITHUB_TYPE;
  const inputs = obj(Object.fromEntries((d.inputs ?? []).map((i) => [i.name, STRING])));
  return { ...GITHUB_TYPE, props: { ...GITHUB_TYPE.props, event: { k: "object", props: { inputs }, strict: false, elem: ANY } } };
}

export const RUNNER_TYPE: Ty = obj(
  Object.fromEntries(["arch", "debug", "environment", "name", "os", "temp", "tool_cache"].map((p) => [p, STRING])),
);

export const JOB_TYPE: Ty = obj({
  container: obj({ id: STRING, network: STRING }),
  services: mapOf(obj({ id: STRING, network: STRING, ports: mapOf(STRING) })),
  status: STRING,
  check_run_id: NUMBER,
  workflow_ref: STRING,
  workflow_sha: STRING,
  workflow_repository: STRING,
  workflow_file_path: STRING,
});

export const STRATEGY_TYPE: Ty = obj({ "fail-fast": BOOL, "job-index": NUMBER, "job-total": NUMBER, "max-parallel": NUMBER });

export function inputsType(wf: Workflow): Ty {
  const props: Record<string, Ty> = {};
  for (const t of wf.triggers) {
    if (t.event !== "workflow_dispatch" && t.event !== "workflow_call") continue;
    for (const i of t.inputs ?? []) props[i.name] = i.type === "boolean" ? BOOL : i.type === "number" ? NUMBER : i.type === "any" ? ANY : STRING;
  }
  return obj(props);
}

export function matrixType(job: Job): Ty {
  const m = job.strategy?.matrix;
  if (!job.strategy) return obj({});
  if (m?.dynamic && isStaticTemplate(m.raw)) {
    // e.g. `matrix: ${{ fromJSON('{...}') }}`: the cells are known, so are their types
    const r = resolveTemplate(m.raw, {});
    const c = r.ok ? cellsFromValue(r.value, job.id) : undefined;
    if (c?.ok) return merge(c.cells.map((cell) => typeOfValue(cell, true)));
  }
  if (!m || m.expression || typeof m.include === "string" || m.axes.some((a) => a.expression !== undefined)) return mapOf(ANY);
  const props: Record<string, Ty> = {};
  for (const a of m.axes) props[a.name] = merge((a.values ?? []).map((v) => typeOfValue(staticValue(v), true)));
  if (Array.isArray(m.include)) {
    for (const row of m.include) {
      if (typeof row !== "object" || row === null) return mapOf(ANY);
      for (const [k, v] of Object.entries(row)) {
        const prev = props[k];
        const t = typeOfValue(staticValue(v), true);
        props[k] = prev ? merge([prev, t]) : t;
      }
    }
  }
  return obj(props);
}

/** `${{ fromJSON('[1]') }}` and other context-free expressions have a known value. */
function staticValue(v: unknown): unknown {
  if (!isStaticTemplate(v)) return v;
  const r = resolveTemplate(v, {});
  return r.ok ? r.value : v;
}

export function needsType(wf: Workflow, job: Job, callOutputs?: (uses: string) => string[] | undefined): Ty {
  const props: Record<string, Ty> = {};
  for (const n of job.needs) {
    const dep = wf.jobs.find((j) => j.id === n.value);
    const called = dep?.uses ? callOutputs?.(dep.uses.value) : undefined;
    const names = dep && !dep.uses ? Object.keys(dep.outputs) : called;
    const outputs = names ? obj(Object.fromEntries(names.map((k) => [k, STRING]))) : mapOf(STRING);
    props[n.value] = obj({ outputs, result: STRING });
  }
  return obj(props);
}

export function stepsType(job: Job, beforeIndex: number | undefined, actionOutputs?: (uses: string) => string[] | undefined): Ty {
  const props: Record<string, Ty> = {};
  for (const s of job.steps) {
    if (beforeIndex !== undefined && s.index >= beforeIndex) break;
    if (!s.id || s.id.value.includes("${{")) continue;
    const native = s.uses ? nativeAction(s.uses.value) : undefined;
    const names = native ? native.action.outputs : s.uses ? actionOutputs?.(s.uses.value) : undefined;
    const outputs = names ? obj(Object.fromEntries(names.map((o) => [o, STRING]))) : mapOf(STRING);
    props[s.id.value] = obj({ outputs, conclusion: STRING, outcome: STRING });
  }
  return obj(props);
}

export function jobsType(wf: Workflow): Ty {
  const props: Record<string, Ty> = {};
  for (const j of wf.jobs) props[j.id] = obj({ outputs: j.uses ? mapOf(STRING) : obj(Object.fromEntries(Object.keys(j.outputs).map((k) => [k, STRING]))), result: STRING });
  return obj(props);
}

export function secretsType(wf: Workflow, secretNames?: readonly string[]): Ty {
  // A workflow only ever called by others gets exactly the secrets it declares.
  const onlyCalled = wf.triggers.length > 0 && wf.triggers.every((t) => t.event === "workflow_call" && t.secrets !== undefined);
  if (!secretNames && onlyCalled) {
    const props: Record<string, Ty> = { GITHUB_TOKEN: STRING, ACTIONS_RUNNER_DEBUG: STRING, ACTIONS_STEP_DEBUG: STRING };
    for (const t of wf.triggers) for (const s of t.secrets ?? []) props[s.name] = STRING;
    return obj(props);
  }
  if (!secretNames) return mapOf(STRING);
  const props: Record<string, Ty> = { GITHUB_TOKEN: STRING };
  for (const s of secretNames) props[s] = STRING;
  for (const t of wf.triggers) for (const s of t.secrets ?? []) props[s.name] = STRING;
  return obj(props);
}
