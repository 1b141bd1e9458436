// Which providers this host can start, strongest first (DESIGN.md invariant 7), with the reason for each.
import { BwrapProvider } from "./bwrap-provider";
import { GvisorProvider } from "./gvisor-provider";
import { MicrovmProvider } from "./microvm-provider";
import { ProcessProvider } from "./process-provider";
import type { ProbeResult, ProviderName, SandboxProvider } from "./types";

export function allProviders(options: { devMode: boolean; allowUntrusted?: boolean }): SandboxProvider[] {
  return [new MicrovmProvider(), new GvisorProvider(), new BwrapProvider(), new ProcessProvider(options)];
}

export async function probeSandboxProviders(providers: SandboxProvider[]): Promise<Record<ProviderName, ProbeResult>> {
  const entries = await Promise.all(providers.map(async (p) => [p.name, await p.probe()] as const));
  const out: Partial<Record<ProviderName, ProbeResult>> = {};
  for (const [name, result] of entries) out[name] = result;
  const absent = { available: false, detail: "not configured" };
  return { microvm: out.microvm ?? absent, gvisor: out.gvisor ?? absent, bwrap: out.bwrap ?? absent, process: out.process ?? absent };
}
