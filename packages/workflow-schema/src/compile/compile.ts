import type { Job, Str, Trigger, Workflow } from "../model";
import type { PlanTrigger, PlannedJob, PlannedStep, WorkflowPlan } from "../plan";
import { evaluateExpression } from "../expr/evaluate";
import { extractExpressions } from "../expr/extract";
import { normalizeCondition } from "../expr/condition";
import { cellKey, cellsFromValue, expandMatrix } from "./matrix";
import { isStaticTemplate, resolveTemplate } from "../expr/template";
import type { Cell } from "./matrix";

const DEFAULT_TIMEOUT = 360;

export function planTrigger(t: Trigger): PlanTrigger {
  const v = (xs: Str[] | undefined): string[] | undefined => xs?.map((s) => s.value);
  const out: PlanTrigger = { event: t.event };
  const put = <K extends keyof PlanTrigger>(k: K, x: PlanTrigger[K] | undefined): void => {
    if (x !== undefined) out[k] = x;
  };
  put("branches", v(t.branches));
  put("branchesIgnore", v(t.branchesIgnore));
  put("tags", v(t.tags));
  put("tagsIgnore", v(t.tagsIgnore));
  put("paths", v(t.paths));
  put("pathsIgnore", v(t.pathsIgnore));
  put("types", v(t.types));
  put("workflows", v(t.workflows));
  put("crons", v(t.crons));
  put("outputs", t.outputs?.flatMap((o) => (o.value ? [{ name: o.name, value: o.value.value }] : [])));
  put("inputs", t.inputs?.map((i) => ({ name: i.name, type: i.type, required: i.required, ...(i.default !== undefined ? { default: i.default } : {}), ...(i.options ? { options: i.options } : {}), ...(i.description ? { description: i.description } : {}) })));
  return out;
}

/** Replaces `${{ }}` pieces that depend only on `matrix` with their value for this cell. */
export function substituteMatrix(s: string, cell: Cell | undefined): string {
  if (!cell || !s.includes("${{") || !/matrix/i.test(s)) return s;
  const ex = extractExpressions(s);
  if (!ex.ok) return s;
  let out = "";
  let last = 0;
  for (const it of ex.items) {
    const piece = s.slice(it.start, it.end);
    const code = it.inner.replace(/'(?:[^']|'')*'/g, "''");
    const onlyMatrix =
      /\bmatrix\b/i.test(code) &&
      !/\b(github|env|vars|secrets|inputs|needs|steps|job|jobs|runner|strategy)\b\s*[.[]/i.test(code) &&
      !/\b(hashFiles|success|failure|always|cancelled)\s*\(/i.test(code);
    const r = onlyMatrix ? evaluateExpression(it.inner, { matrix: cell }) : undefined;
    const v = r?.ok ? r.value : undefined;
    out += s.slice(last, it.start) + (v === undefined ? piece : v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
    last = it.end;
  }
  return out + s.slice(last);
}

/** After matrix substitution a value may be a plain literal again. */
export const asBool = (s: string): boolean | string => (s === "true" ? true : s === "false" ? false : s);
export const asNumber = (s: string): number | string => (/^\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : s);

const strs = (m: Record<string, Str>, cell: Cell | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, substituteMatrix(v.value, cell)]));

function cells(job: Job): { cells: (Cell | undefined)[]; dynamic?: unknown } {
  const m = job.strategy?.matrix;
  if (!m) return { cells: [undefined] };
  // Built from `${{ }}`: only the worker knows the values (needs outputs, inputs); see expandDynamicJob.
  if (m.dynamic) {
    // `${{ }}` without contexts (e.g. fromJSON of a literal) is known now; the rest waits for the worker.
    if (isStaticTemplate(m.raw)) {
      const r = resolveTemplate(m.raw, {});
      const c = r.ok ? cellsFromValue(r.value, job.id) : undefined;
      if (c?.ok) return { cells: c.cells };
    }
    return { cells: [undefined], dynamic: m.raw };
  }
  const out = expandMatrix(
    m.axes.map((a) => ({ name: a.name, values: a.values ?? [] })),
    Array.isArray(m.include) ? m.include : [],
    Array.isArray(m.exclude) ? m.exclude : [],
  );
  return { cells: out.length ? out : [undefined] };
}

function planSteps(wf: Workflow, job: Job, cell: Cell | undefined): PlannedStep[] {
  const shell = job.defaults?.shell?.value ?? wf.defaults?.shell?.value;
  const wd = job.defaults?.workingDirectory?.value ?? wf.defaults?.workingDirectory?.value;
  return job.steps.map((s) => {
    const st: PlannedStep = {
      index: s.index,
      if: normalizeCondition(s.if?.value),
      env: strs(s.env, cell),
      with: strs(s.with, cell),
      continueOnError: s.continueOnError ?? false,
    };
    if (s.id) st.id = s.id.value;
    if (s.name) st.name = substituteMatrix(s.name.value, cell);
    if (s.run) {
      st.run = s.run.value;
      const sh = s.shell?.value ?? shell;
      if (sh) st.shell = sh;
      const w = s.workingDirectory?.value ?? wd;
      if (w) st.workingDirectory = w;
    }
    if (s.uses) st.uses = s.uses.value;
    if (s.timeoutMinutes !== undefined) st.timeoutMinutes = s.timeoutMinutes;
    return st;
  });
}

/** `permissions:` as parsed (read-all, write-all, or scope → level; anything else was a validation error). */
function plannedPermissions(value: unknown): PlannedJob["permissions"] {
  if (value === "read-all" || value === "write-all") return value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** Expands matrices and resolves edges into the serializable plan. Assumes a workflow without errors. */
export function compile(wf: Workflow): WorkflowPlan {
  const expanded = new Map<string, { cell: Cell | undefined; key: string; dynamic?: unknown }[]>();
  for (const job of wf.jobs) {
    const c = cells(job);
    const seen = new Map<string, number>();
    expanded.set(
      job.id,
      c.cells.map((cell) => {
        let key = cellKey(job.id, cell);
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (n > 1) key = `${key} #${n}`;
        return { cell, key, ...(c.dynamic !== undefined ? { dynamic: c.dynamic } : {}) };
      }),
    );
  }
  const jobs: PlannedJob[] = [];
  for (const job of wf.jobs) {
    const needs = job.needs.flatMap((n) => (expanded.get(wf.jobs.find((j) => j.id.toLowerCase() === n.value.toLowerCase())?.id ?? "") ?? []).map((e) => e.key));
    for (const { cell, key, dynamic } of expanded.get(job.id) ?? []) {
      const pj: PlannedJob = {
        key,
        jobId: job.id,
        name: job.name ? substituteMatrix(job.name.value, cell) : key,
        needs,
        runsOn: job.runsOn.map((l) => substituteMatrix(l.value, cell)),
        timeoutMinutes: typeof job.timeoutMinutes === "string" ? asNumber(substituteMatrix(job.timeoutMinutes, cell)) : (job.timeoutMinutes ?? DEFAULT_TIMEOUT),
        continueOnError: typeof job.continueOnError === "string" ? asBool(substituteMatrix(job.continueOnError, cell)) : (job.continueOnError ?? false),
        steps: planSteps(wf, job, cell),
        outputs: strs(job.outputs, cell),
        env: strs(job.env, cell),
        failFast: job.strategy?.failFast ?? true,
        retry: { maxAttempts: 3, on: "platform" },
      };
      if (cell) pj.matrix = cell;
      const permissions = plannedPermissions(job.permissions ?? wf.permissions);
      if (permissions) pj.permissions = permissions;
      if (dynamic !== undefined) pj.dynamicMatrix = dynamic;
      if (job.runsOnGroup) pj.runsOnGroup = job.runsOnGroup.value;
      if (job.if) pj.if = normalizeCondition(job.if.value);
      if (job.environment) pj.environment = { name: substituteMatrix(job.environment.name.value, cell), ...(job.environment.url ? { url: job.environment.url.value } : {}) };
      if (job.concurrency) pj.concurrency = { group: substituteMatrix(job.concurrency.group.value, cell), cancelInProgress: job.concurrency.cancelInProgress ?? false };
      if (job.services.length) {
        pj.services = job.services.map((s) => ({ id: s.id, ...(s.image ? { image: substituteMatrix(s.image.value, cell) } : {}), env: strs(s.env, cell), ports: s.ports, volumes: s.volumes, ...(s.options ? { options: s.options } : {}) }));
      }
      if (job.strategy?.maxParallel !== undefined) pj.maxParallel = job.strategy.maxParallel;
      if (job.uses) {
        pj.uses = job.uses.value;
        pj.with = strs(job.with, cell);
        if (job.secrets) pj.secrets = job.secrets === "inherit" ? "inherit" : strs(job.secrets, cell);
      }
      jobs.push(pj);
    }
  }
  const plan: WorkflowPlan = {
    file: wf.file,
    name: wf.name?.value ?? wf.file,
    triggers: wf.triggers.map(planTrigger),
    env: strs(wf.env, undefined),
    jobs,
  };
  if (wf.runName) plan.runName = wf.runName.value;
  if (wf.defaults) plan.defaults = { ...(wf.defaults.shell ? { shell: wf.defaults.shell.value } : {}), ...(wf.defaults.workingDirectory ? { workingDirectory: wf.defaults.workingDirectory.value } : {}) };
  if (wf.concurrency) plan.concurrency = { group: wf.concurrency.group.value, cancelInProgress: wf.concurrency.cancelInProgress ?? false };
  return plan;
}
