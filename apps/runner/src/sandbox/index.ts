export type * from "./types";
export { SandboxRefusedError } from "./types";
export { BwrapProvider } from "./bwrap-provider";
export { GvisorProvider } from "./gvisor-provider";
export { MicrovmProvider } from "./microvm-provider";
export { ProcessProvider } from "./process-provider";
export { allProviders, probeSandboxProviders } from "./probe";
