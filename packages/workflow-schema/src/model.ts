import type { ActionsPolicy } from "./actions-policy";
import type { Pos } from "./errors";
import type { YNode, YScalar } from "./yaml/node";

/** A string value with where it was written. */
export interface Str {
  value: string;
  pos: Pos;
  node?: YScalar;
}

/** Where an expression is written decides which contexts and functions it may use. */
export type ExprWhere =
  | "run-name"
  | "workflow-env"
  | "workflow-concurrency"
  | "workflow-call-input-default"
  | "workflow-call-output-value"
  | "workflow-defaults-run"
  | "job-name"
  | "job-if"
  | "job-runs-on"
  | "job-snapshot"
  | "job-env"
  | "job-environment"
  | "job-environment-url"
  | "job-concurrency"
  | "job-outputs"
  | "job-timeout-minutes"
  | "job-continue-on-error"
  | "job-strategy"
  | "job-defaults-run"
  | "job-with"
  | "job-secrets"
  | "job-container"
  | "job-container-credentials"
  | "job-container-env"
  | "job-services"
  | "job-services-credentials"
  | "job-services-env"
  | "step-if"
  | "step-name"
  | "step-run"
  | "step-env"
  | "step-with"
  | "step-working-directory"
  | "step-continue-on-error"
  | "step-timeout-minutes"
  | "step-shell"
  | "step-uses"
  | "step-id";

/** A scalar that may hold `${{ }}`, with the scope needed to type-check it. */
export interface ExprSite {
  node: YScalar;
  where: ExprWhere;
  jobId?: string;
  stepIndex?: number;
  /** `if:` conditions are expressions even without `${{ }}`. */
  condition?: boolean;
  /** The mapping key this value belongs to (`with.script`, `env.FOO`). */
  key?: string;
  /** A whole-value expression standing for a section must have this type. */
  expect?: "object" | "string-or-array";
  /** Section name for messages about `expect`. */
  section?: string;
  /** `workflow_call` input defaults see only the inputs declared before them. */
  inputsBefore?: { name: string; type: string }[];
  /** The `workflow_call` input whose default this is (its type is checked). */
  input?: { name: string; type: string };
}

export type EventName = string;

export interface InputDef {
  name: string;
  pos: Pos;
  type: string;
  required: boolean;
  default?: unknown;
  options?: string[];
  /** What the input is for, as written (the Run workflow form shows it under the field). */
  description?: string;
}

export interface TriggerFilter {
  branches?: Str[];
  branchesIgnore?: Str[];
  tags?: Str[];
  tagsIgnore?: Str[];
  paths?: Str[];
  pathsIgnore?: Str[];
  types?: Str[];
  /** workflow_run: the names of the workflows whose runs trigger this one */
  workflows?: Str[];
  /** image_version */
  names?: Str[];
  versions?: Str[];
}

export interface Trigger extends TriggerFilter {
  event: EventName;
  pos: Pos;
  /** schedule */
  crons?: Str[];
  /** workflow_dispatch / workflow_call */
  inputs?: InputDef[];
  /** workflow_call */
  outputs?: { name: string; pos: Pos; value?: Str }[];
  secrets?: { name: string; pos: Pos; required: boolean }[];
}

export interface Concurrency {
  group: Str;
  cancelInProgress?: boolean | string;
}

export interface Environment {
  name: Str;
  url?: Str;
}

export interface MatrixDef {
  pos: Pos;
  /** `matrix: ${{ fromJSON(...) }}`: only known at run time. */
  expression?: Str;
  axes: { name: string; pos: Pos; values?: unknown[]; expression?: string }[];
  include?: unknown[] | string;
  exclude?: unknown[] | string;
  includePos?: Pos;
  /** Per `exclude` row: key → (key position, value position). */
  excludePos?: Record<string, { key: Pos; value: Pos }>[];
  /** True when any value, row or list is built from `${{ }}`. */
  dynamic: boolean;
  /** The matrix as written, as JSON (the `${{ }}` string when the whole matrix is one expression). */
  raw: unknown;
}

export interface Strategy {
  matrix?: MatrixDef;
  failFast?: boolean | string;
  maxParallel?: number | string;
}

export interface RunDefaults {
  shell?: Str;
  workingDirectory?: Str;
}

export interface Service {
  id: string;
  pos: Pos;
  image?: Str;
  env: Record<string, Str>;
  ports: string[];
  options?: string;
  volumes: string[];
}

export interface Step {
  index: number;
  pos: Pos;
  id?: Str;
  name?: Str;
  if?: Str;
  run?: Str;
  shell?: Str;
  workingDirectory?: Str;
  uses?: Str;
  with: Record<string, Str>;
  env: Record<string, Str>;
  continueOnError?: boolean | string;
  timeoutMinutes?: number | string;
  timeoutPos?: Pos;
}

export interface Job {
  id: string;
  pos: Pos;
  name?: Str;
  needs: Str[];
  if?: Str;
  runsOn: Str[];
  /** `runs-on: { group: ... }` */
  runsOnGroup?: Str;
  environment?: Environment;
  concurrency?: Concurrency;
  outputs: Record<string, Str>;
  env: Record<string, Str>;
  defaults?: RunDefaults;
  timeoutMinutes?: number | string;
  timeoutPos?: Pos;
  continueOnError?: boolean | string;
  strategy?: Strategy;
  services: Service[];
  permissions?: unknown;
  steps: Step[];
  /** Reusable workflow call: `uses: ./.github/workflows/x.yml` */
  uses?: Str;
  with: Record<string, Str>;
  secrets?: "inherit" | Record<string, Str>;
  container?: unknown;
  /** `snapshot.version` (unsupported feature, still validated). */
  snapshotVersion?: Str;
}

export interface Workflow {
  file: string;
  name?: Str;
  runName?: Str;
  triggers: Trigger[];
  env: Record<string, Str>;
  defaults?: RunDefaults;
  concurrency?: Concurrency;
  permissions?: unknown;
  jobs: Job[];
  /** Every scalar that may contain `${{ }}`, for the expression rules. */
  exprSites: ExprSite[];
  /** The raw root node, for rules that need it. */
  root?: YNode;
}

/** Checks that need the tenant run only when this is given. */
export interface TenantContext {
  /** Labels of the tenant's runner pools; `runs-on` must use them. */
  poolLabels?: string[];
  /** Names of defined secrets; `secrets.X` must be one of them (GITHUB_TOKEN is always there). */
  secretNames?: string[];
  /** Upper limit for job and step `timeout-minutes`. */
  maxTimeoutMinutes?: number;
  /** Script injection into `run:` is an error instead of a warning. */
  injectionIsError?: boolean;
  /** Which actions `uses:` may name (local ones always); every action when absent. */
  allowedActions?: ActionsPolicy;
}
