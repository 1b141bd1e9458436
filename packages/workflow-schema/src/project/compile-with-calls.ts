// Compiling a workflow that calls local reusable workflows needs the called files at the same commit: intake
// reads them through `read` (git or GitHub's contents API), and the plan carries every called workflow compiled
// (`plan.calls`), so the worker can expand a call when its caller starts without reading the repository again.
import { compile } from "../compile/compile";
import { hasErrors, sortErrors, type Pos, type WorkflowError } from "../errors";
import type { TenantContext, Workflow } from "../model";
import type { WorkflowPlan } from "../plan";
import { parseWorkflow } from "../validate";
import { validateWorkflows } from "./project";
import { repoPath } from "./resolve";

/** GitHub's limit: a top-level workflow and up to nine levels of workflows it calls. */
export const MAX_CALL_DEPTH = 10;

/** Reads a repository file at the run's commit; undefined when there is no such file. */
export type ReadRepositoryFile = (path: string) => Promise<string | undefined>;

interface Call {
  callee: string;
  pos: Pos;
}

const localCallee = (uses: string) => (uses.startsWith("./") && !uses.includes("${{") ? repoPath(uses) : undefined);

/** Every workflow reachable from `file` through local calls, read once each, with the calls each one makes. */
async function readCallTree(source: string, file: string, ctx: TenantContext, read: ReadRepositoryFile) {
  const files: Record<string, string> = { [file]: source };
  const calls = new Map<string, Call[]>();
  const queue = [file];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    if (calls.has(path)) continue;
    const made: Call[] = [];
    for (const job of parseWorkflow(files[path] ?? "", path, ctx).workflow?.jobs ?? []) {
      const callee = job.uses ? localCallee(job.uses.value) : undefined;
      if (callee === undefined || !job.uses) continue;
      made.push({ callee, pos: job.uses.pos });
      if (!(callee in files)) {
        const text = await read(callee);
        if (text !== undefined) files[callee] = text;
      }
      if (callee in files) queue.push(callee);
    }
    calls.set(path, made);
  }
  return { files, calls };
}

/** A call that comes back to a workflow already on its path, or one nested deeper than GitHub allows. */
function callGraphErrors(root: string, calls: ReadonlyMap<string, Call[]>): WorkflowError[] {
  const errors: WorkflowError[] = [];
  const reported = new Set<string>();
  const report = (file: string, pos: Pos, code: string, message: string) => {
    const key = `${file}:${pos.line}:${pos.col}`;
    if (reported.has(key)) return;
    reported.add(key);
    errors.push({ file, line: pos.line, col: pos.col, code, message, severity: "error" });
  };
  const visit = (path: string, stack: string[]) => {
    for (const call of calls.get(path) ?? []) {
      if (stack.includes(call.callee)) {
        report(path, call.pos, "reusable-workflow-cycle", `reusable workflow calls form a cycle: ${[...stack.slice(stack.indexOf(call.callee)), call.callee].join(" → ")}`);
      } else if (stack.length >= MAX_CALL_DEPTH) {
        report(path, call.pos, "reusable-workflow-depth", `reusable workflows nest more than ${MAX_CALL_DEPTH} levels deep: ${[...stack, call.callee].join(" → ")}`);
      } else {
        visit(call.callee, [...stack, call.callee]);
      }
    }
  };
  visit(root, [root]);
  return errors;
}

/**
 * Validates and compiles `file` with every local reusable workflow it calls, transitively. Errors in a called
 * file are reported on that file; the plan exists only when no file has an error.
 */
export async function compileWorkflowWithCalls(source: string, file: string, ctx: TenantContext, read: ReadRepositoryFile): Promise<{ plan?: WorkflowPlan; errors: WorkflowError[] }> {
  const { files, calls } = await readCallTree(source, file, ctx, read);
  // Every file read is a root here: a called file that does not parse must say so, not just go missing.
  const validated = validateWorkflows(files, Object.keys(files), ctx, { localActions: false });
  const errors = sortErrors([...validated.errors, ...callGraphErrors(file, calls), ...unsupportedOnCallers(validated.workflows)]);
  const root = validated.workflows[file];
  if (!root || hasErrors(errors)) return { errors };
  try {
    const plan = compile(root);
    const called = Object.entries(validated.workflows).filter(([path]) => path !== file);
    if (called.length > 0) plan.calls = Object.fromEntries(called.map(([path, workflow]) => [path, compile(workflow)]));
    return { plan, errors };
  } catch (e) {
    return { errors: [...errors, { file, line: 0, col: 0, code: "internal-error", message: `internal error while compiling: ${e instanceof Error ? e.message : String(e)}`, severity: "error" }] };
  }
}

// GitHub allows `concurrency:` on a calling job; Gantry's job-level groups hold a job for a runner, which a call
// never takes, so it is refused here rather than silently ignored.
function unsupportedOnCallers(workflows: Readonly<Record<string, Workflow>>): WorkflowError[] {
  return Object.values(workflows).flatMap((workflow) =>
    workflow.jobs.flatMap((job) =>
      job.uses && job.concurrency
        ? [{ file: workflow.file, line: job.concurrency.group.pos.line, col: job.concurrency.group.pos.col, code: "unsupported-call-concurrency", message: `job "${job.id}" calls a reusable workflow: "concurrency" on a calling job is not supported by Gantry yet (set it on the called workflow's jobs)`, severity: "error" as const }]
        : [],
    ),
  );
}
