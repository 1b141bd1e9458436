export { startAgent, type AgentHandle } from "./agent";
export { ProtocolClient, ProtocolError } from "./protocol-client";
export { runAssignment } from "./run-assignment";
export type { JobExecutor, JobOutcome } from "./job-executor";
export { parseRunnerEnv, type RunnerEnv } from "./env";
export { probeProviders } from "./probe-providers";
export * from "./sandbox/index";
export * from "./execution/index";
