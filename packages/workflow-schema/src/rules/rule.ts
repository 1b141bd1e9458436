import type { ErrorSink, Pos } from "../errors.js";
import type { ParsedExpr } from "../expr/collect.js";
import type { TenantContext, Workflow } from "../model.js";

/** What every rule gets. A rule reports into `sink` and never throws. */
export interface RuleContext {
  wf: Workflow;
  sink: ErrorSink;
  tenant: TenantContext;
  exprs: readonly ParsedExpr[];
  posAt(offset: number): Pos;
}

export type Rule = (c: RuleContext) => void;
