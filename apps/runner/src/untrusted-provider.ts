// Which provider an untrusted job (a fork's pull request) runs in: the strongest isolating provider this host offers
// that can give the job its egress, whatever the pool's default is (DESIGN.md invariant 7). A fork writes its own
// `runs-on`, so it must not also get to choose the pool's weaker isolation; `process` (none at all) never runs it.
import type { SandboxProviderName } from "@gantry/runner-protocol";
import type { ProviderChoice, ProviderProbe } from "./probe-providers";
import type { NetworkPolicy } from "./sandbox/types";

/** Strongest first (docs/sandboxes.md); `process` is not among them. */
export const ISOLATING_PROVIDERS: readonly SandboxProviderName[] = ["microvm", "gvisor", "bwrap"];

/**
 * Providers that cannot hand a job the runner's Node runtimes (microvm: its guest kernel has no way to share a host
 * folder; docs/sandboxes.md): a job with remote actions goes to the strongest one that can, rather than fail there.
 */
export const WITHOUT_NODE_RUNTIMES: readonly SandboxProviderName[] = ["microvm"];

export function untrustedProvider(host: ProviderProbe, egress: NetworkPolicy, needs: { nodeRuntimes?: boolean } = {}): ProviderChoice {
  for (const name of ISOLATING_PROVIDERS) {
    const detail = host.details[name];
    const provider = host.providers.find((candidate) => candidate.name === name);
    if (needs.nodeRuntimes && WITHOUT_NODE_RUNTIMES.includes(name)) continue;
    if (detail.available && provider && (detail.egress ?? ["none"]).includes(egress)) {
      return { ok: true, provider, why: `the strongest isolating provider this host offers with egress ${egress}${needs.nodeRuntimes ? " that can run the job's remote actions" : ""}` };
    }
  }
  const offered = host.available.length > 0 ? host.available.join(", ") : "none";
  return {
    ok: false,
    error: `this runner cannot run untrusted code: it offers no isolating sandbox provider (${ISOLATING_PROVIDERS.join(", ").replace(/, (\w+)$/, " or $1")}) that gives the job egress ${egress}; it offers: ${offered}`,
  };
}
