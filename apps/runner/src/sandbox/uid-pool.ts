// A host uid of its own per sandbox. Claimed with an exclusive lock file so two runners on one host (or two
// sandboxes of one runner) never share a uid: a shared uid would share RLIMIT_NPROC and file access.
import { randomInt } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const FIRST = 200_000;
const LAST = 259_999;
const EGRESS_GID_OFFSET = 100_000;
/**
 * The group a sandbox's user-mode network stack runs as (never a sandbox's own gid): the egress firewall matches
 * its packets by this gid, so the runner's own host-side work as the sandbox's uid (checkout) is not filtered.
 */
export const egressGidOf = (uid: number) => uid + EGRESS_GID_OFFSET;
/** Every such gid; the egress firewall rejects the range's traffic unless a sandbox's rules say otherwise. */
export const EGRESS_GID_RANGE = [FIRST + EGRESS_GID_OFFSET, LAST + EGRESS_GID_OFFSET] as const;
const LOCKS = path.join(os.tmpdir(), "gantry-uid-locks");

export interface ClaimedUid {
  uid: number;
  release(): void;
}

export function claimUid(): ClaimedUid | undefined {
  mkdirSync(LOCKS, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 100; attempt++) {
    const uid = randomInt(FIRST, LAST + 1);
    const lock = path.join(LOCKS, String(uid));
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
    } catch {
      continue;
    }
    return { uid, release: () => rmSync(lock, { force: true }) };
  }
  return undefined;
}
