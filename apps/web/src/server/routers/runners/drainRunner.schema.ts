import { runnerInput } from "./runner-input";

export const drainRunnerInput = runnerInput;
export type { RunnerInput as DrainRunnerInput } from "./runner-input";
