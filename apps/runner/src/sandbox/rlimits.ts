// prlimit(1) arguments for the limits a cgroup could not enforce. RLIMIT_NPROC counts per user, so it
// contains a fork bomb only when the sandbox runs as its own host uid (see bwrap-provider.ts).
import type { EnforcedLimits, SandboxLimits } from "./types";

export function rlimitArgs(limits: SandboxLimits, byCgroup: EnforcedLimits, ownUid: boolean): { args: string[]; enforced: EnforcedLimits } {
  const args: string[] = [];
  const enforced: EnforcedLimits = {};
  if (limits.pids !== undefined && !byCgroup.pids && ownUid) {
    args.push(`--nproc=${limits.pids}:${limits.pids}`);
    enforced.pids = "rlimit-nproc";
  }
  if (limits.memoryBytes !== undefined && !byCgroup.memory) {
    args.push(`--as=${limits.memoryBytes}:${limits.memoryBytes}`);
    enforced.memory = "rlimit-as";
  }
  if (limits.fileSizeBytes !== undefined) {
    args.push(`--fsize=${limits.fileSizeBytes}:${limits.fileSizeBytes}`);
    enforced.fileSize = "rlimit-fsize";
  }
  return { args, enforced };
}
