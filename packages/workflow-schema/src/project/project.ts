import { ErrorSink, sortErrors } from "../errors";
import type { WorkflowError } from "../errors";
import type { TenantContext, Workflow } from "../model";
import { parseWorkflow } from "../validate";
import { parseActionMetadata } from "./action-metadata";
import { checkLocalActions } from "./local-actions";
import { isWorkflowPath, repoPath } from "./resolve";
import { checkReusableCalls } from "./reusable-calls";

export const DEFAULT_WORKFLOW_DIRS = [".gantry/workflows", ".github/workflows"];

/**
 * Validates every workflow of a repository snapshot plus what crosses files: local reusable
 * workflow calls (which may live outside the workflow directories) and local actions. `files`
 * maps repository-relative POSIX paths to contents (workflows, reusable workflows, `action.yml`s).
 * Pure: the caller reads the files.
 */
export function validateProject(
  files: Readonly<Record<string, string>>,
  ctx: TenantContext = {},
  workflowDirs: readonly string[] = DEFAULT_WORKFLOW_DIRS,
): { workflows: Record<string, Workflow>; errors: WorkflowError[] } {
  return validateWorkflows(files, Object.keys(files).filter((p) => isWorkflowPath(p, workflowDirs)), ctx);
}

/**
 * validateProject for the given root workflows (and, transitively, the local reusable workflows they call).
 * `localActions: false` leaves local actions unchecked: at intake they are not in `files` (a run reads them from
 * its workspace when the step runs, and an earlier step may even write them).
 */
export function validateWorkflows(
  files: Readonly<Record<string, string>>,
  rootPaths: readonly string[],
  ctx: TenantContext = {},
  options: { localActions?: boolean } = {},
): { workflows: Record<string, Workflow>; errors: WorkflowError[] } {
  const first = new Map<string, Workflow | undefined>();
  const queue = [...rootPaths].sort();
  const roots = new Set(queue);
  // Pass 1: every workflow and, transitively, every local reusable workflow they call.
  while (queue.length) {
    const p = queue.shift() ?? "";
    if (first.has(p)) continue;
    const wf = parseWorkflow(files[p] ?? "", p, ctx).workflow;
    first.set(p, wf);
    for (const j of wf?.jobs ?? []) {
      const callee = j.uses?.value.startsWith("./") ? repoPath(j.uses.value) : undefined;
      if (callee && callee in files && !first.has(callee)) queue.push(callee);
    }
  }
  const callOutputs = (uses: string): string[] | undefined => {
    const p = repoPath(uses);
    const call = p ? first.get(p)?.triggers.find((t) => t.event === "workflow_call") : undefined;
    return call ? (call.outputs ?? []).map((o) => o.name) : undefined;
  };
  const actionOutputs = (uses: string): string[] | undefined => {
    if (!uses.startsWith("./") && uses !== ".") return undefined;
    const dir = repoPath(uses);
    const file = dir === undefined ? undefined : [`${dir}/action.yml`, `${dir}/action.yaml`].map((p) => p.replace(/^\//, "")).find((p) => p in files);
    const r = file ? parseActionMetadata(files[file] ?? "") : undefined;
    return r?.ok && r.meta.using === "composite" ? r.meta.outputs : undefined;
  };
  // Pass 2: with callee and local action outputs known, `needs.*.outputs` and `steps.*.outputs` are typed.
  const parsed = new Map<string, Workflow | undefined>();
  const errors: WorkflowError[] = [];
  for (const p of [...first.keys()].sort()) {
    if (!roots.has(p) && !first.get(p)) continue;
    const r = parseWorkflow(files[p] ?? "", p, ctx, { callOutputs, actionOutputs });
    parsed.set(p, r.workflow);
    errors.push(...r.errors);
  }
  for (const [p, wf] of parsed) {
    if (!wf) continue;
    const sink = new ErrorSink(p);
    checkReusableCalls(wf, parsed, files, sink);
    if (options.localActions !== false) checkLocalActions(wf, files, sink);
    errors.push(...sink.errors);
  }
  const workflows: Record<string, Workflow> = {};
  for (const [p, wf] of parsed) if (wf) workflows[p] = wf;
  return { workflows, errors: sortErrors(errors) };
}
