import type { Pos } from "../errors";
import type { Concurrency, Environment, ExprWhere, Job, RunDefaults, Service } from "../model";
import { scalarString } from "../yaml/node";
import type { YNode } from "../yaml/node";
import { isExpression } from "./reader";
import type { Reader, Scope } from "./reader";
import { parseContainerLike } from "./container";
import { parseSteps } from "./steps";
import { parseStrategy } from "./strategy";

const JOB_KEYS = [
  "concurrency", "container", "continue-on-error", "defaults", "env", "environment", "if", "name", "needs", "outputs",
  "permissions", "runs-on", "secrets", "services", "snapshot", "steps", "strategy", "timeout-minutes", "uses", "with",
];
const CALL_KEYS = ["name", "uses", "with", "secrets", "needs", "if", "permissions", "strategy", "concurrency"];

export function parseJobs(r: Reader, node: YNode): Job[] {
  const pairs = r.map(node, "jobs", true);
  if (!pairs) return [];
  if (pairs.length === 0) r.sink.error(node.pos, "empty-value", `"jobs" section should not be empty`);
  const jobs: Job[] = [];
  for (const p of pairs) {
    const id = scalarString(p.key);
    const job = parseJob(r, id, p.key.pos, p.value);
    if (job) jobs.push(job);
  }
  return jobs;
}

function parseJob(r: Reader, id: string, pos: Job["pos"], node: YNode): Job | undefined {
  const pairs = r.map(node, `"${id}" job`);
  if (!pairs) return undefined;
  const f = r.keys(pairs, JOB_KEYS, `"job" section`);
  const scope: Scope = { jobId: id };
  const job: Job = { id, pos, needs: [], runsOn: [], outputs: {}, env: {}, services: [], steps: [], with: {} };
  const v = (k: string): YNode | undefined => f.get(k)?.value;
  let n: YNode | undefined;
  if ((n = v("name"))) job.name = r.str(n, "job name", "job-name", scope, true);
  if ((n = v("needs"))) job.needs = r.strList(n, "needs");
  if ((n = v("if"))) {
    job.if = r.str(n, "if condition", undefined, scope, true);
    if (n.kind === "scalar") r.site(n, "job-if", scope, true);
  }
  if ((n = v("runs-on"))) parseRunsOn(r, job, n, scope);
  if ((n = v("environment"))) job.environment = parseEnvironment(r, n, scope, f.get("environment")?.key.pos);
  if ((n = v("concurrency"))) job.concurrency = parseConcurrency(r, n, "job-concurrency", scope, f.get("concurrency")?.key.pos);
  if ((n = v("outputs"))) job.outputs = r.strMap(n, "outputs", "job-outputs", scope);
  if ((n = v("env"))) job.env = r.strMap(n, "env", "job-env", scope);
  if ((n = v("defaults"))) job.defaults = parseDefaults(r, n, "job-defaults-run", scope, f.get("defaults")?.key.pos);
  if ((n = v("timeout-minutes"))) {
    job.timeoutMinutes = r.num(n, "\"timeout-minutes\"", "job-timeout-minutes", scope);
    job.timeoutPos = n.pos;
  }
  if ((n = v("continue-on-error"))) job.continueOnError = r.bool(n, "\"continue-on-error\"", "job-continue-on-error", scope);
  if ((n = v("strategy"))) job.strategy = parseStrategy(r, n, scope);
  if ((n = v("services"))) job.services = parseServices(r, n, scope);
  if ((n = v("permissions"))) job.permissions = parsePermissions(r, n);
  if ((n = v("container"))) {
    job.container = true;
    r.sink.error(f.get("container")?.key.pos ?? pos, "unsupported-container", `job "${id}" runs in a "container"; Gantry runs jobs in its own sandboxes and does not support job containers`);
    parseContainerLike(r, "container", f.get("container")?.key.pos ?? pos, n, "container", scope);
  }
  const snap = f.get("snapshot");
  if (snap) {
    r.sink.error(snap.key.pos, "unsupported-feature", `"snapshot" (custom runner images) is not supported by Gantry`);
    parseSnapshot(r, job, snap.key.pos, snap.value, scope);
  }
  if ((n = v("uses"))) job.uses = r.str(n, "\"uses\" section");
  if ((n = v("with"))) job.with = r.strMap(n, "with", "job-with", scope);
  if ((n = v("secrets"))) {
    if (n.kind === "scalar" && n.value === "inherit") job.secrets = "inherit";
    else if (n.kind === "scalar" && !n.missing) r.sink.error(n.pos, "type-mismatch", `expected mapping node for secrets or "inherit" string node but found "${scalarString(n)}" node`);
    else job.secrets = r.strMap(n, "secrets", "job-secrets", scope);
  }
  if ((n = v("steps"))) job.steps = parseSteps(r, n, id);
  if (job.uses) {
    for (const p of pairs) {
      const k = scalarString(p.key);
      if (!CALL_KEYS.includes(k) && JOB_KEYS.includes(k)) {
        r.sink.error(p.key.pos, "reusable-call-keys", `when a reusable workflow is called with "uses", "${k}" is not available. only following keys are allowed: "name", "uses", "with", "secrets", "needs", "if", and "permissions" in job "${id}"`);
      }
    }
  } else {
    for (const k of ["with", "secrets"]) {
      const q = f.get(k);
      if (q) r.sink.error(q.key.pos, "reusable-call-keys", `"${k}" is only available for a reusable workflow call with "uses" but "uses" is not found in job "${id}"`);
    }
    if (!f.has("runs-on")) r.sink.error(pos, "missing-key", `"runs-on" section is missing in job "${id}"`);
    const st = f.get("steps")?.value;
    if (!st || (st.kind === "scalar" && st.value === null)) r.sink.error(pos, "missing-key", `"steps" section is missing in job "${id}"`);
  }
  return job;
}

function parseSnapshot(r: Reader, job: Job, keyPos: Job["pos"], n: YNode, scope: Scope): void {
  if (n.kind === "scalar") {
    r.str(n, "snapshot image name", "job-snapshot", scope);
    return;
  }
  if (n.kind === "seq") {
    r.sink.error(n.pos, "type-mismatch", `"snapshot" section value must be string or mapping but found sequence node`);
    return;
  }
  const f = r.keys(r.map(n, "snapshot") ?? [], ["if", "image-name", "version"], `"snapshot" section`);
  const cond = f.get("if");
  if (cond && cond.value.kind === "scalar") r.site(cond.value, "job-snapshot", scope, true);
  const img = f.get("image-name");
  if (img) r.str(img.value, "image-name", "job-snapshot", scope);
  else r.sink.error(keyPos, "missing-key", `"image-name" is missing in "snapshot" section`);
  const v = f.get("version");
  if (v) job.snapshotVersion = r.str(v.value, "version", "job-snapshot", scope);
}

function parseRunsOn(r: Reader, job: Job, n: YNode, scope: Scope): void {
  if (n.kind === "map") {
    const f = r.keys(r.map(n, "runs-on") ?? [], ["group", "labels"], `"runs-on" section`);
    const g = f.get("group");
    if (g) job.runsOnGroup = r.str(g.value, "runner group", "job-runs-on", scope);
    const l = f.get("labels");
    if (l) job.runsOn = r.strList(l.value, "labels", "job-runs-on", scope);
    return;
  }
  if (n.kind === "scalar" && typeof n.value === "string" && isExpression(n.value)) {
    r.site(n, "job-runs-on", scope, false, { expect: "string-or-array", section: "runs-on" });
    const s = r.str(n, "runs-on");
    job.runsOn = s ? [s] : [];
    return;
  }
  job.runsOn = r.strList(n, "runs-on", "job-runs-on", scope);
}

export function parseConcurrency(r: Reader, n: YNode, where: ExprWhere, scope: Scope = {}, keyPos?: Pos): Concurrency | undefined {
  if (n.kind === "scalar") {
    const s = r.str(n, "concurrency group", where, scope);
    return s ? { group: s } : undefined;
  }
  const f = r.keys(r.map(n, "concurrency") ?? [], ["cancel-in-progress", "group", "queue"], `"concurrency" section`);
  const q = f.get("queue");
  if (q) {
    const s = r.str(q.value, "queue");
    if (s && !["single", "max"].includes(s.value)) r.sink.error(s.pos, "invalid-value", `"queue" must be "single" or "max" but got "${s.value}"`);
  }
  const g = f.get("group");
  const group = g ? r.str(g.value, "concurrency group", where, scope) : undefined;
  if (!g) r.sink.error(keyPos ?? n.pos, "missing-key", `group name is missing in "concurrency" section`);
  const c = f.get("cancel-in-progress");
  const cancel = c ? r.bool(c.value, "\"cancel-in-progress\"", where, scope) : undefined;
  return group ? { group, ...(cancel !== undefined ? { cancelInProgress: cancel } : {}) } : undefined;
}

function parseEnvironment(r: Reader, n: YNode, scope: Scope, keyPos?: Pos): Environment | undefined {
  if (n.kind === "scalar") {
    const s = r.str(n, "environment name", "job-environment", scope);
    return s ? { name: s } : undefined;
  }
  const f = r.keys(r.map(n, "environment") ?? [], ["deployment", "name", "url"], `"environment" section`);
  const nm = f.get("name");
  const name = nm ? r.str(nm.value, "environment name", "job-environment", scope) : undefined;
  if (!nm) r.sink.error(keyPos ?? n.pos, "missing-key", `name is missing in "environment" section`);
  const u = f.get("url");
  const url = u ? r.str(u.value, "environment url", "job-environment-url", scope) : undefined;
  const d = f.get("deployment");
  if (d) r.bool(d.value, "\"deployment\"", "job-environment", scope);
  return name ? { name, ...(url ? { url } : {}) } : undefined;
}

export function parseDefaults(r: Reader, n: YNode, where: ExprWhere, scope: Scope = {}, keyPos?: Pos): RunDefaults | undefined {
  const pairs = r.map(n, "defaults");
  if (!pairs) return undefined;
  for (const p of pairs) {
    if (scalarString(p.key) !== "run") r.sink.error(p.key.pos, "unknown-key", `expected "run" key for "defaults" section but got "${scalarString(p.key)}"`);
  }
  const run = pairs.find((p) => scalarString(p.key) === "run");
  if (!run) {
    r.sink.error(n.kind === "scalar" && n.offset < 0 ? (keyPos ?? n.pos) : n.pos, "missing-key", `"defaults" section should have "run" section`);
    return undefined;
  }
  const f = r.keys(r.map(run.value, "run") ?? [], ["shell", "working-directory"], `"run" section`);
  const out: RunDefaults = {};
  const s = f.get("shell");
  if (s) out.shell = r.str(s.value, "shell", where, scope);
  const w = f.get("working-directory");
  if (w) out.workingDirectory = r.str(w.value, "working-directory", where, scope);
  return out;
}

function parseServices(r: Reader, n: YNode, scope: Scope): Service[] {
  const out: Service[] = [];
  if (n.kind === "scalar" && typeof n.value === "string" && isExpression(n.value)) {
    r.site(n, "job-services", scope, false, { expect: "object", section: "services" });
    return out;
  }
  for (const p of r.map(n, "services", true) ?? []) {
    out.push(parseContainerLike(r, scalarString(p.key), p.key.pos, p.value, "services", scope));
  }
  return out;
}

const SCOPES = [
  "actions", "artifact-metadata", "attestations", "checks", "code-quality", "contents", "deployments", "discussions", "id-token", "issues", "models",
  "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses",
];

/** Scopes that do not take all of read/write/none. */
const SCOPE_VALUES: Record<string, string[]> = { "id-token": ["write", "none"], models: ["read", "none"] };

export function parsePermissions(r: Reader, n: YNode): unknown {
  if (n.kind === "scalar" && (n.value === null || n.value === "")) {
    r.sink.error(n.pos, "invalid-permissions", `"" is invalid for permission for all the scopes. available values are "read-all", "write-all" or {}`);
    return undefined;
  }
  if (n.kind === "scalar") {
    const s = r.str(n, "permissions");
    if (s && !["read-all", "write-all"].includes(s.value)) {
      r.sink.error(s.pos, "invalid-permissions", `"${s.value}" is invalid for permission for all the scopes. available values are "read-all" and "write-all"`);
    }
    return s?.value;
  }
  const out: Record<string, string> = {};
  for (const p of r.map(n, "permissions") ?? []) {
    const k = scalarString(p.key);
    if (!SCOPES.includes(k)) r.sink.error(p.key.pos, "invalid-permissions", `unknown permission scope "${k}". all available permission scopes are ${SCOPES.map((x) => `"${x}"`).join(", ")}`);
    const s = r.str(p.value, "permission");
    const allowed = SCOPE_VALUES[k] ?? ["read", "write", "none"];
    if (s && !allowed.includes(s.value)) r.sink.error(s.pos, "invalid-permissions", `"${s.value}" is invalid as permission of scope "${k}". available values are ${allowed.map((x) => `"${x}"`).join(", ")}`);
    if (s) out[k] = s.value;
  }
  return out;
}
