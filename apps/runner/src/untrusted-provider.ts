// Which provider an untrusted job (a fork's pull request) runs in: the strongest isolating provider this host offers
// that can give the job its egress, whatever the pool's default is (DESIGN.md invariant 7). A fork writes its own
// `runs-on`, so it must not also get to choose the pool's weaker isolation; `process` (none at all) never runs it.
import type { SandboxProviderName } from "@gantry/runner-protocol";
import type { ProviderChoice, ProviderProbe } from "./probe-providers";
import type { NetworkPolicy } from "./sandbox/types";

/** Strongest first (docs/sandboxes.md); `process` is not among them. */
export const ISOLATING_PROVIDERS: readonly SandboxProviderName[] = ["microvm", "gvisor", "bwrap"];

export function untrustedProvider(host: ProviderProbe, egress: NetworkPolicy): ProviderChoice {
  for (const name of ISOLATING_PROVIDERS) {
    const detail = host.details[name];
    const provider = host.providers.find((candidate) => candidate.name === name);
    if (detail.available && provider && (detail.egress ?? ["none"]).includes(egress)) {
      return { ok: true, provider, why: `the strongest isolating provider this host offers with egress ${egress}` };
    }
  }
  const offered = host.available.length > 0 ? host.available.join(", ") : "none";
  return {
    ok: false,
    error: `this runner cannot run untrusted code: it offers no isolating sandbox provider (${ISOLATING_PROVIDERS.join(", ").replace(/, (\w+)$/, " or $1")}) that gives the job egress ${egress}; it offers: ${offered}`,
  };
}
