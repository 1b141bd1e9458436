export { startAgent, type AgentHandle, type AgentOptions } from "./agent";
export { ProtocolClient, ProtocolError } from "./protocol-client";
export { runAssignment, type JobExecutor, type JobOutcome } from "./run-assignment";
export { sandboxExecutor, jobWallTimeMs, type JobReporter, type SandboxExecutorOptions } from "./sandbox-executor";
export { parseRunnerEnv, type RunnerEnv } from "./env";
export { probeProviders, chooseProvider, type ProviderProbe, type ProviderChoice } from "./probe-providers";
export * from "./sandbox/index";
export * from "./execution/index";
