// The service proxy and the toolchain mounts in real gVisor sandboxes (service-suite.ts).
import { GvisorProvider } from "../../src/sandbox/gvisor-provider";
import { describeServices } from "./service-suite";

const provider = new GvisorProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`gvisor service tests skipped: ${probe.detail}`);

describeServices("gvisor", provider, probe.available, { slow: true, egress: probe.egress ?? [] });
