// Per-sandbox cgroups for memory, pids and CPU when this host lets us create them (a delegated cgroup v2
// subtree, or writable v1 hierarchies as in many VMs and containers). Detected, never assumed: the caller
// reports exactly which limits ended up enforced.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { EnforcedLimits, LimitEvents, SandboxLimits } from "./types";

const ROOT = "/sys/fs/cgroup";

export interface SandboxCgroup {
  /**
   * The files a process writes `0` (itself) into to join the groups before it runs job code: v1's `tasks` (moving
   * one thread of the writer skips the kernel's global threadgroup lock, whose RCU grace period cost every exec
   * ~5-10 ms), v2's `cgroup.procs`.
   */
  joinFiles: string[];
  enforced: Pick<EnforcedLimits, "memory" | "pids" | "cpu">;
  /** The kernel's counters: processes OOM-killed at memory.max, forks refused at pids.max. */
  events(): Pick<LimitEvents, "oomKills" | "forksRefused">;
  /** Kills whatever is left in the groups and removes them. */
  remove(): void;
}

function ownPath(controller: string): string | undefined {
  try {
    for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
      const [, controllers, p] = line.split(":");
      if (controllers === undefined || p === undefined) continue;
      if (controller === "" ? controllers === "" : controllers.split(",").includes(controller)) return p;
    }
  } catch {
    // No /proc/self/cgroup: no cgroups.
  }
  return undefined;
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

function killAndRemove(dir: string): void {
  if (!existsSync(dir)) return;
  if (!tryWrite(path.join(dir, "cgroup.kill"), "1")) {
    try {
      for (const pid of readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    } catch {
      // Group already removed.
    }
  }
  // The kernel refuses rmdir until the killed tasks are reaped: a few quick retries.
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch {
      const until = Date.now() + 5;
      while (Date.now() < until) {
        // Busy-wait a few ms: remove() is synchronous so destroy() cannot leave a group behind.
      }
    }
  }
}

/** The number after `key` in a flat-keyed cgroup file (`oom_kill 3`), 0 when the file or key is missing. */
function counter(file: string | undefined, key: string): number {
  if (file === undefined) return 0;
  try {
    const line = readFileSync(file, "utf8").split("\n").find((entry) => entry.startsWith(`${key} `));
    return line === undefined ? 0 : Number(line.slice(key.length + 1)) || 0;
  } catch {
    return 0;
  }
}

function makeDir(parent: string, name: string): string | undefined {
  const dir = path.join(parent, name);
  try {
    mkdirSync(dir);
    return dir;
  } catch {
    return undefined;
  }
}

function createV2(name: string, limits: SandboxLimits): SandboxCgroup | undefined {
  const own = ownPath("");
  if (own === undefined || !existsSync(path.join(ROOT, "cgroup.controllers"))) return undefined;
  const parent = path.join(ROOT, own);
  // A delegated subtree must enable the controllers for its children; try, then read what is on.
  tryWrite(path.join(parent, "cgroup.subtree_control"), "+memory +pids +cpu");
  const dir = makeDir(parent, name);
  if (!dir) return undefined;
  const enforced: SandboxCgroup["enforced"] = {};
  if (limits.memoryBytes !== undefined && tryWrite(path.join(dir, "memory.max"), String(limits.memoryBytes))) {
    tryWrite(path.join(dir, "memory.swap.max"), "0");
    enforced.memory = "cgroup-v2";
  }
  if (limits.pids !== undefined && tryWrite(path.join(dir, "pids.max"), String(limits.pids))) enforced.pids = "cgroup-v2";
  if (limits.cpus !== undefined && tryWrite(path.join(dir, "cpu.max"), `${Math.round(limits.cpus * 100_000)} 100000`)) enforced.cpu = "cgroup-v2";
  const events = () => ({ oomKills: counter(path.join(dir, "memory.events"), "oom_kill"), forksRefused: counter(path.join(dir, "pids.events"), "max") });
  return { joinFiles: [path.join(dir, "cgroup.procs")], enforced, events, remove: () => killAndRemove(dir) };
}

function createV1(name: string, limits: SandboxLimits): SandboxCgroup | undefined {
  const dirs: string[] = [];
  const byController = new Map<string, string>();
  const enforced: SandboxCgroup["enforced"] = {};
  const make = (controller: string): string | undefined => {
    const base = path.join(ROOT, controller);
    if (!existsSync(path.join(base, "cgroup.procs"))) return undefined;
    const own = ownPath(controller);
    const parent = own !== undefined && existsSync(path.join(base, own)) ? path.join(base, own) : base;
    const dir = makeDir(parent, name);
    if (dir) {
      dirs.push(dir);
      byController.set(controller, dir);
    }
    return dir;
  };
  if (limits.memoryBytes !== undefined) {
    const dir = make("memory");
    if (dir && tryWrite(path.join(dir, "memory.limit_in_bytes"), String(limits.memoryBytes))) {
      tryWrite(path.join(dir, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
      enforced.memory = "cgroup-v1";
    }
  }
  if (limits.pids !== undefined) {
    const dir = make("pids");
    if (dir && tryWrite(path.join(dir, "pids.max"), String(limits.pids))) enforced.pids = "cgroup-v1";
  }
  if (limits.cpus !== undefined) {
    const dir = make("cpu");
    if (dir && tryWrite(path.join(dir, "cpu.cfs_period_us"), "100000") && tryWrite(path.join(dir, "cpu.cfs_quota_us"), String(Math.round(limits.cpus * 100_000)))) enforced.cpu = "cgroup-v1";
  }
  if (dirs.length === 0) return undefined;
  const file = (controller: string, name: string) => {
    const dir = byController.get(controller);
    return dir === undefined ? undefined : path.join(dir, name);
  };
  // v1 has no memory.events: memory.oom_control counts the kills (kernel 4.13+).
  const events = () => ({ oomKills: counter(file("memory", "memory.oom_control"), "oom_kill"), forksRefused: counter(file("pids", "pids.events"), "max") });
  return { joinFiles: dirs.map((dir) => path.join(dir, "tasks")), enforced, events, remove: () => dirs.forEach(killAndRemove) };
}

/** A fresh cgroup for one sandbox, or undefined when this host gives us none. */
export function createSandboxCgroup(name: string, limits: SandboxLimits): SandboxCgroup | undefined {
  if (limits.memoryBytes === undefined && limits.pids === undefined && limits.cpus === undefined) return undefined;
  return createV2(name, limits) ?? createV1(name, limits);
}
