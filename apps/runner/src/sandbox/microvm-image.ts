// The microvm guest (kernel, initramfs, read-only root filesystem) built by apps/runner/microvm/build-image.sh
// from Debian packages, cached under the state dir keyed by a hash of the script and the kernel release, and
// built under a lock so concurrent runners and tests build it once. The build runs beside the event loop, never
// blocking it: the first job's prepare waits minutes for it, and that job's heartbeats must keep its lease.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { which } from "./host-tools";

export const BUILD_SCRIPT = fileURLToPath(new URL("../../microvm/build-image.sh", import.meta.url));

export interface GuestImage {
  kernel: string;
  initrd: string;
  rootfs: string;
}

export function defaultStateDir(): string {
  return path.join(os.homedir(), ".gantry");
}

/** The newest Debian cloud kernel installed on the host (linux-image-cloud-amd64), if any. */
export function cloudKernelRelease(): string | undefined {
  if (!existsSync("/boot")) return undefined;
  const releases = readdirSync("/boot")
    .filter((f) => /^vmlinuz-.*-cloud-amd64$/.test(f))
    .map((f) => f.slice("vmlinuz-".length))
    .filter((release) => existsSync(`/lib/modules/${release}/modules.dep`))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return releases.at(-1);
}

/** Why the image cannot be built here, or undefined when it can. */
export function missingBuildTools(): string | undefined {
  if (process.getuid?.() !== 0) return "building the guest image needs root (debootstrap, mkfs.ext4 -d, loop mounts)";
  const missing = ["debootstrap", "cpio", "mkfs.ext4", "flock"].filter((tool) => !which(tool));
  if (!existsSync("/bin/busybox")) missing.push("busybox (busybox-static)");
  if (missing.length > 0) return `missing ${missing.join(", ")} (apt-get install debootstrap busybox-static cpio e2fsprogs util-linux)`;
  if (!cloudKernelRelease()) return "no Debian cloud kernel in /boot (apt-get install linux-image-cloud-amd64)";
  return undefined;
}

export function imageDir(stateDir: string, release: string): string {
  const hash = createHash("sha256").update(readFileSync(BUILD_SCRIPT)).update(release).digest("hex").slice(0, 16);
  return path.join(stateDir, "microvm", `${release}-${hash}`);
}

/** The cached guest, building it first (a minute or so, once per script version and kernel) when absent. */
export async function ensureGuestImage(stateDir: string): Promise<GuestImage> {
  const release = cloudKernelRelease();
  if (!release) throw new Error("no Debian cloud kernel in /boot (apt-get install linux-image-cloud-amd64)");
  const dir = imageDir(stateDir, release);
  const image = { kernel: path.join(dir, "vmlinuz"), initrd: path.join(dir, "initrd.cpio"), rootfs: path.join(dir, "rootfs.ext4") };
  if (existsSync(path.join(dir, "ready"))) return image;
  const missing = missingBuildTools();
  if (missing) throw new Error(`cannot build the microvm guest image: ${missing}`);
  await buildGuestImage(dir, release);
  return image;
}

const BUILD_TIMEOUT_MS = 20 * 60_000;
/** One build per image directory in this process: two jobs preparing at once wait for the same one. */
const building = new Map<string, Promise<void>>();

/**
 * Runs `script OUT_DIR KERNEL_RELEASE` under the state dir's build lock unless `OUT_DIR/ready` exists, as a child
 * process awaited asynchronously (spawnSync here froze the runner, heartbeats included, for the whole build).
 */
export function buildGuestImage(dir: string, release: string, options: { script?: string; timeoutMs?: number } = {}): Promise<void> {
  const pending = building.get(dir) ?? runBuild(dir, release, options.script ?? BUILD_SCRIPT, options.timeoutMs ?? BUILD_TIMEOUT_MS).finally(() => building.delete(dir));
  building.set(dir, pending);
  return pending;
}

async function runBuild(dir: string, release: string, script: string, timeoutMs: number): Promise<void> {
  mkdirSync(path.dirname(dir), { recursive: true });
  // The script re-checks `ready` under the lock, so a runner that waited for another's build does not rebuild.
  const guarded = `[ -e "$2/ready" ] || "$1" "$2" "$3"`;
  const child = spawn("flock", [path.join(path.dirname(dir), "build.lock"), "/bin/sh", "-c", guarded, "sh", script, dir, release], { stdio: ["ignore", "ignore", "pipe"], timeout: timeoutMs, killSignal: "SIGKILL" });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  if (ended.code !== 0 || !existsSync(path.join(dir, "ready"))) {
    const why = stderr.trim() || ended.error?.message || (ended.signal ? `killed by ${ended.signal}${ended.signal === "SIGKILL" ? ` (over ${timeoutMs} ms?)` : ""}` : `exit ${ended.code}`);
    throw new Error(`building the microvm guest image failed: ${why.slice(-2000)}`);
  }
}
