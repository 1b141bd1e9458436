import type { ErrorSink } from "../errors";
import type { Workflow } from "../model";
import type { YNode } from "../yaml/node";
import { parseConcurrency, parseDefaults, parseJobs, parsePermissions } from "./jobs";
import { Reader } from "./reader";
import { parseTriggers } from "./triggers";

const WORKFLOW_KEYS = ["concurrency", "defaults", "env", "jobs", "name", "on", "permissions", "run-name"];

/** Builds the typed workflow from YAML nodes; every schema problem goes to `sink`. */
export function buildWorkflow(root: YNode | undefined, file: string, sink: ErrorSink): Workflow {
  const r = new Reader(sink);
  const wf: Workflow = { file, triggers: [], env: {}, jobs: [], exprSites: r.sites, ...(root ? { root } : {}) };
  if (!root || (root.kind === "scalar" && root.value === null)) {
    sink.error({ line: 1, col: 1 }, "empty-workflow", "workflow is empty");
    return wf;
  }
  const pairs = r.map(root, "workflow");
  if (!pairs) return wf;
  const f = r.keys(pairs, WORKFLOW_KEYS, `"workflow" section`);
  const v = (k: string): YNode | undefined => f.get(k)?.value;
  let n: YNode | undefined;
  if ((n = v("name"))) wf.name = r.str(n, "workflow name", undefined, {}, true);
  if ((n = v("run-name"))) wf.runName = r.str(n, "run-name", "run-name");
  if ((n = v("on"))) wf.triggers = parseTriggers(r, n);
  else sink.error(root.pos, "missing-key", `"on" section is missing in workflow`);
  if ((n = v("env"))) wf.env = r.strMap(n, "env", "workflow-env");
  if ((n = v("defaults"))) wf.defaults = parseDefaults(r, n, "workflow-defaults-run", {}, f.get("defaults")?.key.pos);
  if ((n = v("concurrency"))) wf.concurrency = parseConcurrency(r, n, "workflow-concurrency", {}, f.get("concurrency")?.key.pos);
  if ((n = v("permissions"))) wf.permissions = parsePermissions(r, n);
  if ((n = v("jobs"))) wf.jobs = parseJobs(r, n);
  else sink.error(root.pos, "missing-key", `"jobs" section is missing in workflow`);
  return wf;
}
