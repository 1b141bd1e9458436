import type { ErrorSink, Pos } from "../errors";
import type { ParsedExpr } from "../expr/collect";
import type { TenantContext, Workflow } from "../model";

/** What every rule gets. A rule reports into `sink` and never throws. */
export interface RuleContext {
  wf: Workflow;
  sink: ErrorSink;
  tenant: TenantContext;
  exprs: readonly ParsedExpr[];
  posAt(offset: number): Pos;
  /** Output names of a called local reusable workflow, when the caller knows the repository. */
  callOutputs?: (uses: string) => string[] | undefined;
  /** Output names of a local action, when the caller knows the repository. */
  actionOutputs?: (uses: string) => string[] | undefined;
}

export type Rule = (c: RuleContext) => void;
