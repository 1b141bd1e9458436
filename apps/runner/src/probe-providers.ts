// Which sandbox providers this host can start (the sandbox layer's own probe), and which one a pool's jobs run
// in: exactly the provider the pool is configured with (DESIGN.md invariant 7) — a runner never quietly runs a
// pool's jobs with weaker isolation, and `process` (none at all) only in development mode.
import type { SandboxProviderName } from "@gantry/runner-protocol";
import { allProviders, probeSandboxProviders } from "./sandbox/probe";
import type { NetworkPolicy, ProbeResult, SandboxProvider } from "./sandbox/types";

export interface ProviderProbe {
  /** The providers this host can start, strongest first: what the runner tells the control plane. */
  available: SandboxProviderName[];
  /** Every provider Gantry knows, with why it can or cannot run here. */
  details: Record<SandboxProviderName, ProbeResult>;
  providers: SandboxProvider[];
}

// Strongest first (docs/sandboxes.md).
const KNOWN: SandboxProviderName[] = ["microvm", "gvisor", "bwrap", "process"];

export async function probeProviders(providers: SandboxProvider[] = allProviders({ devMode: false })): Promise<ProviderProbe> {
  const probed = await probeSandboxProviders(providers);
  const details: Record<SandboxProviderName, ProbeResult> = probed;
  return { available: KNOWN.filter((name) => details[name].available), details, providers };
}

export type ProviderChoice = { ok: true; provider: SandboxProvider; why: string } | { ok: false; error: string };

/**
 * The pool's provider when this host can start it and give jobs the pool's egress; otherwise the reason the runner
 * cannot serve the pool (a job never gets more network than its pool allows, nor a silently failing sandbox).
 */
export function chooseProvider(probe: ProviderProbe, configured: SandboxProviderName, devMode: boolean, egress: NetworkPolicy = "none"): ProviderChoice {
  const detail = probe.details[configured];
  const others = probe.available.length > 0 ? probe.available.join(", ") : "none";
  if (configured === "process" && !devMode) {
    return { ok: false, error: `the pool runs jobs with the process provider (no isolation), which a runner accepts only in development mode (GANTRY_RUNNER_DEV_MODE=1); this host can start: ${others}` };
  }
  const provider = probe.providers.find((candidate) => candidate.name === configured);
  if (!detail.available || !provider) {
    return { ok: false, error: `the pool runs jobs with the ${configured} provider, which this host cannot start (${detail.detail}); this host can start: ${others}` };
  }
  if (!(detail.egress ?? ["none"]).includes(egress)) {
    return { ok: false, error: `the pool's egress is ${egress}, which the ${configured} provider cannot give jobs on this host (${detail.detail})` };
  }
  return { ok: true, provider, why: `the pool is configured with ${configured}, and this host can start it (${detail.detail})` };
}
