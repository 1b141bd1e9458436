import type { Cell } from "./compile/matrix";

/** A trigger as plain data (what `matchTrigger` needs). */
export interface PlanTrigger {
  event: string;
  branches?: string[];
  branchesIgnore?: string[];
  tags?: string[];
  tagsIgnore?: string[];
  paths?: string[];
  pathsIgnore?: string[];
  types?: string[];
  /** workflow_run: the triggering workflows' names */
  workflows?: string[];
  crons?: string[];
  inputs?: { name: string; type: string; required: boolean; default?: unknown; options?: string[]; description?: string }[];
  /** workflow_call: what the call gives its caller, each an expression over the called workflow's `jobs`. */
  outputs?: { name: string; value: string }[];
}

export interface PlannedStep {
  index: number;
  id?: string;
  name?: string;
  /** Always set: GitHub's implicit `success()` when the step has none. */
  if: string;
  run?: string;
  uses?: string;
  shell?: string;
  workingDirectory?: string;
  env: Record<string, string>;
  with: Record<string, string>;
  continueOnError: boolean | string;
  timeoutMinutes?: number | string;
}

export interface PlannedService {
  id: string;
  image?: string;
  env: Record<string, string>;
  ports: string[];
  volumes: string[];
  options?: string;
}

export interface PlannedJob {
  /** Unique in the plan: `build` or `build (linux, 20)`. */
  key: string;
  jobId: string;
  name: string;
  matrix?: Cell;
  /** Keys of the planned jobs this one waits for (a matrix dependency means all its cells). */
  needs: string[];
  runsOn: string[];
  runsOnGroup?: string;
  if?: string;
  environment?: { name: string; url?: string };
  concurrency?: { group: string; cancelInProgress: boolean | string };
  timeoutMinutes: number | string;
  continueOnError: boolean | string;
  steps: PlannedStep[];
  outputs: Record<string, string>;
  env: Record<string, string>;
  services?: PlannedService[];
  maxParallel?: number | string;
  failFast: boolean | string;
  /**
   * A matrix built from `${{ }}` that only the worker can expand, when the job is about to start:
   * the `${{ }}` string, or the matrix object whose strings may hold `${{ }}`. See `expandDynamicJob`.
   */
  dynamicMatrix?: unknown;
  /** A call of a local reusable workflow. */
  uses?: string;
  with?: Record<string, string>;
  secrets?: "inherit" | Record<string, string>;
  /**
   * A job of a called workflow, added to the run when its caller started (see `expandReusableCall`): the caller's
   * key, and the caller's `secrets:` (unevaluated: they name the caller's secrets, which the control plane
   * resolves when the job is claimed; absent: the job gets no secrets, as on GitHub).
   */
  calledBy?: string;
  callSecrets?: "inherit" | Record<string, string>;
  /**
   * The GITHUB_TOKEN's `permissions:` for this job: the job's own, else the workflow's (GitHub does not merge them);
   * absent when neither says, and the control plane applies its default.
   */
  permissions?: "read-all" | "write-all" | Record<string, string>;
  /** Retry policy: platform failures only (lost lease, sandbox boot); user failures never retry. */
  retry: { maxAttempts: number; on: "platform" };
}

/** The compiled, JSON-serializable workflow. */
export interface WorkflowPlan {
  file: string;
  name: string;
  runName?: string;
  triggers: PlanTrigger[];
  env: Record<string, string>;
  defaults?: { shell?: string; workingDirectory?: string };
  concurrency?: { group: string; cancelInProgress: boolean | string };
  jobs: PlannedJob[];
  /** The local reusable workflows this run may call (transitively), compiled at intake, by repository path. */
  calls?: Record<string, WorkflowPlan>;
}
