// The limit events of a sandbox built from a cgroup and a quota volume (bwrap, gVisor, process): the cgroup's
// OOM-kill and refused-fork counters and whether the volume is full. Read after an exec ends, so cheap reads only.
import type { SandboxCgroup } from "./cgroups";
import type { QuotaVolume } from "./disk-quota";
import { NO_LIMIT_EVENTS, type LimitEvents } from "./types";

export function limitEventsOf(cgroup: SandboxCgroup | undefined, volume: QuotaVolume | undefined): LimitEvents {
  return { ...NO_LIMIT_EVENTS, ...cgroup?.events(), diskFull: volume?.full() ?? false };
}
