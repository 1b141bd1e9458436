import type { Step } from "../model";
import { scalarString } from "../yaml/node";
import type { YNode } from "../yaml/node";
import type { Reader } from "./reader";

/** GitHub's background/parallel step keywords: recognized, rejected as unsupported. */
const ASYNC_KEYS = ["background", "wait", "wait-all", "cancel", "parallel"];
const RUN_KEYS = ["continue-on-error", "env", "id", "if", "name", "run", "shell", "timeout-minutes", "working-directory"];
const USES_KEYS = ["continue-on-error", "env", "id", "if", "name", "timeout-minutes", "uses", "with"];

export function parseSteps(r: Reader, node: YNode, jobId: string): Step[] {
  if (node.kind !== "seq") {
    r.sink.error(node.pos, "type-mismatch", `"steps" section must be a sequence of steps`);
    return [];
  }
  if (node.items.length === 0) r.sink.error(node.pos, "empty-value", `"steps" section should not be empty`);
  const out: Step[] = [];
  node.items.forEach((item, index) => {
    const s = parseStep(r, item, jobId, index);
    if (s) out.push(s);
  });
  return out;
}

function parseStep(r: Reader, input: YNode, jobId: string, index: number): Step | undefined {
  let node = input;
  if (node.kind !== "map") {
    r.sink.error(node.pos, "type-mismatch", `element of "steps" section is ${node.kind === "seq" ? "sequence" : "scalar"} node but mapping node is expected`);
    return undefined;
  }
  const scope = { jobId, stepIndex: index };
  r.dupes(node.pairs, "step", false);
  const asyncKeys = node.pairs.filter((p) => ASYNC_KEYS.includes(scalarString(p.key)));
  for (const p of asyncKeys) {
    r.sink.error(p.key.pos, "unsupported-feature", `"${scalarString(p.key)}" (background and parallel steps) is not supported by Gantry`);
  }
  if (asyncKeys.length) {
    node = { ...node, pairs: node.pairs.filter((p) => !ASYNC_KEYS.includes(scalarString(p.key))) };
    if (!node.pairs.some((p) => ["run", "uses"].includes(scalarString(p.key)))) return undefined;
  }
  const hasRun = node.pairs.some((p) => scalarString(p.key) === "run");
  const hasUses = node.pairs.some((p) => scalarString(p.key) === "uses");
  if (hasRun && hasUses) {
    r.sink.error(node.pos, "run-and-uses", `step can run script with "run" section or run action with "uses" section, not both`);
  } else if (!hasRun && !hasUses) {
    r.sink.error(node.pos, "missing-key", `step must run script with "run" section or run action with "uses" section`);
  }
  const f = r.keys(node.pairs, hasUses && !hasRun ? USES_KEYS : RUN_KEYS, hasUses && !hasRun ? "step to run action" : "step to run shell command");
  const step: Step = { index, pos: node.pos, with: {}, env: {} };
  const v = (k: string): YNode | undefined => f.get(k)?.value;
  let n: YNode | undefined;
  if ((n = v("id"))) step.id = r.str(n, "step id", "step-id", scope);
  if ((n = v("name"))) step.name = r.str(n, "step name", "step-name", scope, true);
  if ((n = v("if"))) {
    step.if = r.str(n, "if condition", undefined, scope, true);
    if (n.kind === "scalar") r.site(n, "step-if", scope, true);
  }
  if ((n = v("run"))) step.run = r.str(n, "\"run\" section", "step-run", scope);
  if ((n = v("shell"))) step.shell = r.str(n, "shell", "step-shell", scope);
  if ((n = v("working-directory"))) step.workingDirectory = r.str(n, "working-directory", "step-working-directory", scope);
  if ((n = v("uses"))) step.uses = r.str(n, "\"uses\" section", "step-uses", scope);
  if ((n = v("with"))) {
    if (n.kind === "map" && n.pairs.length === 0) r.sink.error(n.pos, "empty-value", `"with" section should not be empty. please remove this section if it's unnecessary`);
    step.with = r.strMap(n, "with", "step-with", scope);
  }
  if ((n = v("env"))) step.env = r.strMap(n, "env", "step-env", scope);
  if ((n = v("continue-on-error"))) step.continueOnError = r.bool(n, "\"continue-on-error\"", "step-continue-on-error", scope);
  if ((n = v("timeout-minutes"))) {
    step.timeoutMinutes = r.num(n, "\"timeout-minutes\"", "step-timeout-minutes", scope);
    step.timeoutPos = n.pos;
  }
  return step;
}
