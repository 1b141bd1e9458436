// Descriptors the runner inherited without close-on-exec would pass on to every process it starts — bwrap, runsc,
// QEMU and so into a job's sandbox (a directory descriptor there is a way out of the sandbox's mounts). Node's own
// descriptors are all close-on-exec, so at start the runner closes every other one, leaving stdio and Node's IPC
// channel alone.
import { closeSync, readdirSync, readFileSync } from "node:fs";

const O_CLOEXEC = 0o2000000;

/** The descriptors above stderr that a child of this process would inherit. */
export function inheritableFds(procFd = "/proc/self/fd"): number[] {
  let entries: string[];
  try {
    entries = readdirSync(procFd);
  } catch {
    return [];
  }
  const channel = Number(process.env.NODE_CHANNEL_FD ?? Number.NaN);
  return entries
    .map(Number)
    .filter((fd) => Number.isInteger(fd) && fd > 2 && fd !== channel)
    .filter((fd) => {
      try {
        const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
        return flags !== undefined && (Number.parseInt(flags, 8) & O_CLOEXEC) === 0;
      } catch {
        // Gone meanwhile (the directory listing's own descriptor).
        return false;
      }
    });
}

/** Closes what inheritableFds finds; returns the numbers closed, for the runner's log. */
export function closeInheritedFds(): number[] {
  const closed: number[] = [];
  for (const fd of inheritableFds()) {
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // Already closed.
    }
  }
  return closed;
}
