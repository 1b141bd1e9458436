import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { PingRequest } from "@gantry/runner-protocol";

type Provider = PingRequest["providers"][number];

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** The sandbox providers this host can start, strongest first (DESIGN.md invariant 7). */
export function probeProviders(has: (command: string) => boolean = onPath): Provider[] {
  const providers: Provider[] = [];
  if (has("qemu-system-x86_64") || has("firecracker")) providers.push("microvm");
  if (has("runsc")) providers.push("gvisor");
  if (has("bwrap")) providers.push("bwrap");
  providers.push("process");
  return providers;
}

export const kvmUsable = (): boolean => existsSync("/dev/kvm");
