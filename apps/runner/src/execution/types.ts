import type { ActionResolveResponse } from "@gantry/runner-protocol";
import type { PlannedJob, PlannedStep } from "@gantry/workflow-schema";
import type { Sandbox } from "../sandbox/types";
import type { Annotation } from "./annotations";
import type { LogStream } from "./log-stream";

export type StepOutcome = "success" | "failure" | "cancelled" | "skipped";

/** What the control plane gives the runner besides the plan: the values of the job's contexts. */
export interface JobContextValues {
  github: Record<string, unknown>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  inputs?: Record<string, unknown>;
  needs?: Record<string, { result: string; outputs: Record<string, string> }>;
  strategy?: Record<string, unknown>;
}

export interface StepReport {
  index: number;
  id?: string;
  name: string;
  outcome: StepOutcome;
  /** The outcome after continue-on-error: a failure that may continue concludes as success. */
  conclusion: StepOutcome;
  outputs: Record<string, string>;
  /** Masked GITHUB_STEP_SUMMARY markdown, when the step wrote one. */
  summary?: string;
  annotations: Annotation[];
  startedAt: number;
  finishedAt: number;
  /** Why the step failed when it is not just a non-zero exit (bad expression, timeout, refused command). */
  error?: string;
}

/** A built-in implementation of an action such as `actions/checkout` (DESIGN.md: native actions). */
export type NativeAction = (input: {
  step: PlannedStep;
  with: Record<string, string>;
  sandbox: Sandbox;
  env: Record<string, string>;
  write: (text: string) => Promise<void>;
  signal: AbortSignal;
}) => Promise<{ ok: boolean; outputs: Record<string, string>; error?: string; post?: NativePost }>;

/**
 * A native action's post step: run after the job's steps, only when they all succeeded (actions/cache saves), or
 * whatever happened when `always` is set (checkout removes the credential it persisted).
 */
export type NativePost = ((io: { write: (text: string) => Promise<void>; signal: AbortSignal }) => Promise<void>) & { always?: boolean };

/** What executeJob reads of a planned job (the claim's assignment carries exactly this much). */
export type ExecutableJob = Pick<PlannedJob, "jobId" | "env" | "outputs" | "steps"> & { matrix?: Record<string, unknown> };

/**
 * What the executor needs to run remote actions (`uses: owner/repo@ref`): the control plane's resolver and the
 * archive download, the runner-wide archive cache, and the run-level values actions see (docs/actions.md).
 */
export interface ActionsOptions {
  /** POST /actions/resolve; throws with the control plane's reason (policy, unknown ref). */
  resolve: (uses: string, stepIndex?: number) => Promise<ActionResolveResponse>;
  /** GETs the resolved downloadUrl into `file`. */
  download: (url: string, file: string) => Promise<void>;
  /** The runner-wide folder of action archives, named by their sha-256 (made when missing). */
  cacheDir: string;
  /** Host folders holding bin/node by major version: used as they are when the sandbox is `process` (host == inside). */
  nodeRuntimes: Record<string, string>;
  /** The tool cache's host folder: RUNNER_TOOL_CACHE for a `process` sandbox, which mounts nothing. */
  toolCache?: string;
  /** ACTIONS_RUNTIME_TOKEN for the cache and artifact services (with Sandbox.serviceUrl). */
  runtimeToken?: string;
  /** Where the run's repository lives; `github` routes GITHUB_API_URL through the service proxy. */
  source?: "github" | "git" | "none";
  /** GITHUB_SERVER_URL for a `github` run. */
  serverUrl?: string;
}

export interface ExecuteJobOptions {
  job: ExecutableJob;
  sandbox: Sandbox;
  contexts: JobContextValues;
  log: LogStream;
  signal?: AbortSignal;
  /** Keyed by action name without ref, e.g. `actions/checkout`. */
  nativeActions?: Record<string, NativeAction>;
  /** Remote actions; absent: a remote `uses:` fails its step saying the runner cannot fetch actions. */
  actions?: ActionsOptions;
  /** Show `::debug::` lines (ACTIONS_STEP_DEBUG). */
  debug?: boolean;
  onStepStart?: (step: { index: number; id?: string; name: string; startedAt: number }) => void | Promise<void>;
  onStepFinish?: (report: StepReport) => void | Promise<void>;
}

export interface JobResult {
  conclusion: "success" | "failure" | "cancelled";
  outputs: Record<string, string>;
  steps: StepReport[];
  annotations: Annotation[];
}
