// Quota volumes made ahead of time, so a sandbox with a disk limit starts without waiting ~35 ms for truncate,
// mkfs.ext4 and mount (most of a limited bwrap's start). The runner keeps a few spares of the size last asked for,
// made in the background (off the event loop) shortly after one is taken; spares of a size nobody asks for any more
// are dropped. A spare is used once, like any volume. Spares belong to this process: removed at its exit, and a
// dead runner's are swept by the next one that makes spares.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { mountQuotaVolumeAsync, quotaTools, type QuotaVolume } from "./disk-quota";

const PREFIX = "gantry-sbx-spare-";
/**
 * How long after a take the refill starts: spawning its tools costs the event loop a few ms each and their work
 * competes for the CPUs, which would land on the start of the very job that took the spare.
 */
const REFILL_DELAY_MS = 150;

/** The directories every sandbox has on its volume, made with the spare: a fresh ext4's first mkdirs read its bitmaps. */
export const VOLUME_DIRS = { workspace: "workspace", temp: "tmp", runnerFiles: "runner", home: "home" } as const;

export interface SpareVolume {
  /** A fresh sandbox root (mode 0700, root's) with the volume mounted at `volume.dir`, holding VOLUME_DIRS (0700, root's). */
  root: string;
  volume: QuotaVolume;
  bytes: number;
}

function removeSpare(spare: SpareVolume): void {
  spare.volume.unmount();
  rmSync(spare.root, { recursive: true, force: true, maxRetries: 3 });
}

async function makeSpare(bytes: number): Promise<SpareVolume | undefined> {
  const root = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
  const volume = await mountQuotaVolumeAsync(root, bytes);
  if (!volume) {
    rmSync(root, { recursive: true, force: true });
    return undefined;
  }
  for (const name of Object.values(VOLUME_DIRS)) mkdirSync(path.join(volume.dir, name), { mode: 0o700 });
  return { root, volume, bytes };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Spares and sandboxes made from them by runners that are gone (killed before their exit handler ran). */
function sweepDeadRunners(): void {
  const umount = quotaTools()?.umount;
  for (const name of readdirSync(os.tmpdir())) {
    const pid = Number(/^gantry-sbx-spare-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    const root = path.join(os.tmpdir(), name);
    if (umount) spawnSync(umount, ["-l", path.join(root, "vol")], { stdio: "ignore", timeout: 30_000 });
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  }
}

export class WarmQuotaVolumes {
  private spares: SpareVolume[] = [];
  private wanted: number | undefined;
  private filling: Promise<void> | undefined;
  private started = false;

  /** `count`: spares kept ready; one per job slot that may start at once is plenty. */
  constructor(private readonly count = 2) {}

  /** A ready volume of exactly `bytes`, or undefined (the caller makes one now); either way spares of that size follow. */
  take(bytes: number): SpareVolume | undefined {
    if (!quotaTools()) return undefined;
    const index = this.spares.findIndex((spare) => spare.bytes === bytes);
    const [spare] = index >= 0 ? this.spares.splice(index, 1) : [];
    this.want(bytes);
    return spare;
  }

  /** Resolves once no spare is being made (benchmarks and tests; jobs never wait for it). */
  async ready(): Promise<void> {
    while (this.filling) await this.filling;
  }

  /** Waits for a spare being made, then removes them all (test files' afterAll: a worker may be killed, not exit). */
  async close(): Promise<void> {
    this.wanted = undefined;
    await this.ready();
    this.clear();
  }

  /** Unmounts and removes every spare (at exit: synchronous). */
  clear(): void {
    this.wanted = undefined;
    for (const spare of this.spares.splice(0)) removeSpare(spare);
  }

  private want(bytes: number): void {
    if (this.wanted !== bytes) {
      this.wanted = bytes;
      for (const spare of this.spares.filter((s) => s.bytes !== bytes)) removeSpare(spare);
      this.spares = this.spares.filter((s) => s.bytes === bytes);
    }
    this.filling ??= new Promise((resolve) => setTimeout(resolve, REFILL_DELAY_MS))
      .then(() => this.fill())
      .finally(() => {
        this.filling = undefined;
      });
  }

  private async fill(): Promise<void> {
    if (!this.started) {
      this.started = true;
      sweepDeadRunners();
      process.once("exit", () => this.clear());
    }
    while (this.wanted !== undefined && this.spares.length < this.count) {
      const bytes = this.wanted;
      const spare = await makeSpare(bytes);
      // This host cannot make one after all: the next take tries again rather than spinning here.
      if (!spare) return;
      if (bytes === this.wanted) this.spares.push(spare);
      else removeSpare(spare);
    }
  }
}

/** The runner's spares (one process, one set, shared by every provider that mounts quota volumes). */
export const warmQuotaVolumes = new WarmQuotaVolumes();
