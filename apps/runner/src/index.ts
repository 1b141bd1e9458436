export { startAgent, ping, ProtocolError } from "./agent";
export { parseRunnerEnv, type RunnerEnv } from "./env";
export { probeProviders } from "./probe-providers";
