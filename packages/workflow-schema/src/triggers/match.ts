import type { Workflow } from "../model";
import type { PlanTrigger, WorkflowPlan } from "../plan";
import { planTrigger } from "../compile/compile";
import { matchPatterns } from "./glob";

/** An incoming event, reduced to what trigger filters look at. */
export interface TriggerEvent {
  /** `push`, `pull_request`, `pull_request_target`, `workflow_dispatch`, `schedule`, ... */
  name: string;
  /** Full ref (`refs/heads/main`, `refs/tags/v1`); or give `branch` / `tag`. */
  ref?: string;
  branch?: string;
  tag?: string;
  /** For pull requests: the base branch the filters look at. Falls back to `branch`. */
  baseBranch?: string;
  /** Changed files, repository-relative. Omitted: path filters are not evaluated. */
  changedPaths?: string[];
  /** Activity type, e.g. `opened`; for repository_dispatch the `event_type`. */
  action?: string;
  /** workflow_run: the name of the workflow whose run triggers this one. */
  workflow?: string;
  /** For schedule: the cron string that fired. */
  cron?: string;
}

/**
 * GitHub runs a workflow for every activity type of its event unless `types` narrows them, except for these events,
 * whose defaults are a subset (docs/triggers.md).
 */
const DEFAULT_TYPES: Record<string, readonly string[]> = {
  pull_request: ["opened", "synchronize", "reopened"],
  pull_request_target: ["opened", "synchronize", "reopened"],
};

function typeAllowed(t: PlanTrigger, e: TriggerEvent): boolean {
  if (e.action === undefined) return true;
  const types = t.types ?? DEFAULT_TYPES[t.event];
  return !types || types.includes(e.action);
}

function refOf(e: TriggerEvent): { branch?: string; tag?: string } {
  if (e.tag !== undefined) return { tag: e.tag };
  if (e.branch !== undefined) return { branch: e.branch };
  const ref = e.ref ?? "";
  if (ref.startsWith("refs/tags/")) return { tag: ref.slice("refs/tags/".length) };
  if (ref.startsWith("refs/heads/")) return { branch: ref.slice("refs/heads/".length) };
  return ref ? { branch: ref } : {};
}

function allowed(name: string | undefined, include: string[] | undefined, ignore: string[] | undefined): boolean {
  if (include) return name !== undefined && matchPatterns(include, name);
  if (ignore) return name === undefined || !matchPatterns(ignore, name);
  return true;
}

function pathsAllowed(t: PlanTrigger, paths: string[] | undefined): boolean {
  if (!paths) return true;
  if (t.paths) return paths.some((p) => matchPatterns(t.paths ?? [], p));
  if (t.pathsIgnore) return paths.length === 0 || paths.some((p) => !matchPatterns(t.pathsIgnore ?? [], p));
  return true;
}

function matchOne(t: PlanTrigger, e: TriggerEvent): boolean {
  if (t.event !== e.name) return false;
  switch (t.event) {
    case "push": {
      const { branch, tag } = refOf(e);
      const hasBranchFilter = t.branches !== undefined || t.branchesIgnore !== undefined;
      const hasTagFilter = t.tags !== undefined || t.tagsIgnore !== undefined;
      if (tag !== undefined) {
        // Path filters are not evaluated for tag pushes; a branch-only filter never runs for tags.
        if (!hasTagFilter) return !hasBranchFilter;
        return allowed(tag, t.tags, t.tagsIgnore);
      }
      if (hasTagFilter && !hasBranchFilter) return false;
      return allowed(branch, t.branches, t.branchesIgnore) && pathsAllowed(t, e.changedPaths);
    }
    case "pull_request":
    case "pull_request_target": {
      if (!typeAllowed(t, e)) return false;
      const base = e.baseBranch ?? refOf(e).branch;
      return allowed(base, t.branches, t.branchesIgnore) && pathsAllowed(t, e.changedPaths);
    }
    case "pull_request_review":
    case "pull_request_review_comment":
    case "merge_group":
      return typeAllowed(t, e) && allowed(e.baseBranch ?? refOf(e).branch, t.branches, t.branchesIgnore);
    case "workflow_run":
      // GitHub names the triggering workflows exactly; the branch filters look at the triggering run's head branch.
      if (e.workflow === undefined || !(t.workflows ?? []).includes(e.workflow)) return false;
      return typeAllowed(t, e) && allowed(refOf(e).branch, t.branches, t.branchesIgnore);
    case "schedule":
      return e.cron === undefined || (t.crons ?? []).includes(e.cron);
    default:
      return typeAllowed(t, e);
  }
}

function isWorkflow(w: Workflow | WorkflowPlan): w is Workflow {
  return "exprSites" in w;
}

/** Whether the workflow runs for the event, with GitHub's filter semantics. */
export function matchTrigger(w: Workflow | WorkflowPlan, event: TriggerEvent): boolean {
  const triggers = isWorkflow(w) ? w.triggers.map(planTrigger) : w.triggers;
  return triggers.some((t) => matchOne(t, event));
}
