// The service proxy in real microvms (service-suite.ts): QEMU's guestfwd to the socket, under egress none on a
// restricted NIC. Host folders are not shared with the guest, so no toolchain mounts. Slow: a VM boot per exec.
import { MicrovmProvider } from "../../src/sandbox/microvm-provider";
import { describeServices } from "./service-suite";

const provider = new MicrovmProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`microvm service tests skipped: ${probe.detail}`);

describeServices("microvm", provider, probe.available, { slow: true, noTools: true, hostAlias: "10.0.2.2", noServiceWithEgress: true, egress: probe.egress ?? [] });
