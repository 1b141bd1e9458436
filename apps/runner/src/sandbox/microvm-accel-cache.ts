// The KVM boot test's verdict, kept for the host's current boot: every runner start (and every platform a test
// suite starts) would otherwise boot a kernel that may hang a core for 10 s. The key names what the verdict depends
// on (the host's boot, QEMU's binary, the kernel), so an upgrade or a reboot tests again. The file lives in root's
// state folder, never in a place a job can write.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { defaultStateDir } from "./microvm-image";

export interface Accelerator {
  accel: "kvm" | "tcg";
  why: string;
}

const verdictFile = z.object({
  key: z.string(),
  accel: z.enum(["kvm", "tcg"]),
  why: z.string(),
});

function cacheFile(): string {
  return path.join(defaultStateDir(), "microvm-accel.json");
}

function verdictKey(qemu: string, release: string): string {
  const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  const binary = statSync(qemu);
  return createHash("sha256").update(JSON.stringify([bootId, qemu, binary.size, binary.mtimeMs, release])).digest("hex");
}

export function cachedVerdict(qemu: string, release: string): Accelerator | undefined {
  try {
    const kept = verdictFile.parse(JSON.parse(readFileSync(cacheFile(), "utf8")));
    if (kept.key !== verdictKey(qemu, release)) return undefined;
    return { accel: kept.accel, why: `${kept.why} (tested earlier in this host boot)` };
  } catch {
    return undefined; // none yet, or unreadable: test again
  }
}

export function keepVerdict(qemu: string, release: string, verdict: Accelerator): Accelerator {
  try {
    const file = cacheFile();
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify({ key: verdictKey(qemu, release), ...verdict }), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // A read-only home: the next process tests again.
  }
  return verdict;
}
