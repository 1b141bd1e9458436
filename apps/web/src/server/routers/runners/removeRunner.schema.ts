import { runnerInput } from "./runner-input";

export const removeRunnerInput = runnerInput;
export type { RunnerInput as RemoveRunnerInput } from "./runner-input";
