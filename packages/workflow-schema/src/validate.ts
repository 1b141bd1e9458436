import { ErrorSink, sortErrors } from "./errors";
import type { WorkflowError } from "./errors";
import { collectExpressions } from "./expr/collect";
import type { TenantContext, Workflow } from "./model";
import { buildWorkflow } from "./parse/workflow";
import { RULES } from "./rules/index";
import { loadYaml } from "./yaml/load";

/** YAML → typed workflow → every rule. All errors at once, sorted; never throws. */
export interface ParseOptions {
  /** Output names of a called local reusable workflow (set by `validateProject`). */
  callOutputs?: (uses: string) => string[] | undefined;
  /** Output names of a local action (`uses: ./path`), set by `validateProject`. */
  actionOutputs?: (uses: string) => string[] | undefined;
}

export function parseWorkflow(source: string, file: string, ctx: TenantContext = {}, opts: ParseOptions = {}): { workflow?: Workflow; errors: WorkflowError[] } {
  const sink = new ErrorSink(file);
  try {
    const loaded = loadYaml(source, sink);
    if (sink.errors.some((e) => e.code === "yaml-syntax" || e.code === "yaml-too-large")) return { errors: sortErrors(sink.errors) };
    const wf = buildWorkflow(loaded.root, file, sink);
    const exprs = collectExpressions(wf.exprSites, loaded.posAt, sink);
    for (const rule of RULES) rule({ wf, sink, tenant: ctx, exprs, posAt: loaded.posAt, ...(opts.callOutputs ? { callOutputs: opts.callOutputs } : {}), ...(opts.actionOutputs ? { actionOutputs: opts.actionOutputs } : {}) });
    return { workflow: wf, errors: sortErrors(sink.errors) };
  } catch (e) {
    // A bug of ours must still come back as a structured error, never as an exception.
    sink.error({ line: 0, col: 0 }, "internal-error", `internal error while validating: ${e instanceof Error ? e.message : String(e)}`);
    return { errors: sortErrors(sink.errors) };
  }
}
