// The service proxy and the toolchain mounts in real bubblewrap sandboxes (service-suite.ts).
import { BwrapProvider } from "../../src/sandbox/bwrap-provider";
import { describeServices } from "./service-suite";

const provider = new BwrapProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`bwrap service tests skipped: ${probe.detail}`);

describeServices("bwrap", provider, probe.available, { egress: probe.egress ?? [] });
