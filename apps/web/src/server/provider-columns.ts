// The sandbox providers a runner reports (the protocol's lowercase names) as the database's enum values.
import type { SandboxProvider } from "@gantry/db";
import type { PingRequest } from "@gantry/runner-protocol";

export function providerColumns(providers: PingRequest["providers"]): SandboxProvider[] {
  return [...new Set(providers)].map((provider) => provider.toUpperCase() as Uppercase<typeof provider>);
}
