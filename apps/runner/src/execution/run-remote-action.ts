// Dispatches a remote `uses:` (neither native nor local) by its action.yml: JavaScript actions run as published
// (node-action.ts), composite actions share the local composites' path (composite-action.ts), docker actions are
// refused with a clear reason until pools have a container runtime.
import { runCompositeAction } from "./composite-action";
import { isRemoteAction } from "./remote-action";
import { runNodeMain, runNodePre } from "./node-action";
import type { StepRunInput, StepRunResult } from "./step-runner";

type RunStep = (input: StepRunInput) => Promise<StepRunResult>;

const failure = (error: string): StepRunResult => ({ outcome: "failure", outputs: {}, envAdded: {}, pathAdded: [], annotations: [], error });
const nothing: StepRunResult = { outcome: "success", outputs: {}, envAdded: {}, pathAdded: [], annotations: [] };

export const dockerRefusal = (name: string, uses: string) => `step ${JSON.stringify(name)}: docker actions need a pool with a container runtime (${uses} has runs.using: docker)`;

export async function runRemoteAction(input: StepRunInput, env: Record<string, string>, timeoutMs: number | undefined, runStep: RunStep): Promise<StepRunResult> {
  const { step } = input;
  const uses = step.uses ?? "";
  const write = (text: string) => input.log.write(step.index, input.masker.mask(text));
  const refuse = async (error: string) => {
    await write(`##[error]${error}\n`);
    return failure(error);
  };
  if (uses.startsWith("docker://")) return input.prePhase ? nothing : refuse(dockerRefusal(step.name ?? uses, uses));
  if (!isRemoteAction(uses)) return refuse(`uses: ${uses} is not an action reference (owner/repo[/path]@ref, ./path or docker://image)`);
  if (!input.remote) return refuse(`uses: ${uses}: this runner has no way to fetch remote actions (no resolver configured)`);
  // A step of the job itself has its resolved commit recorded on it (a nested action's belongs to no step row).
  const prepared = await input.remote.prepare(uses, write, (input.compositeDepth ?? 0) === 0 ? step.index : undefined);
  // Before the first step only JavaScript actions' pre phases run; a step that cannot be prepared fails when it runs.
  if (!prepared.ok) return input.prePhase ? nothing : refuse(prepared.error);
  const { action } = prepared;
  const runs = action.manifest.runs;
  switch (runs.using) {
    case "docker":
      return input.prePhase ? nothing : refuse(dockerRefusal(step.name ?? uses, uses));
    case "composite":
      return input.prePhase ? nothing : runCompositeAction(input, runStep, { manifest: action.manifest, runs, file: action.file, label: uses, action });
    default: {
      const call = { input, env, action, runs, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
      return input.prePhase ? runNodePre(call) : runNodeMain(call);
    }
  }
}
