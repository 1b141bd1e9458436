// The service proxy and the toolchain paths with the process provider (no isolation, trusted jobs only):
// service-suite.ts, less what only an isolating provider can give (egress none, read-only mounts of its own).
import { ProcessProvider } from "../../src/sandbox/process-provider";
import { describeServices } from "./service-suite";

describeServices("process", new ProcessProvider({ devMode: true }), true, { sharesHostNetwork: true, trustedOnly: true, hostFilesystem: true });
