// KVM when /dev/kvm opens read-write, QEMU can create a microvm with a vCPU on it (KVM_CREATE_VM, then the
// vCPU's reset) and the host's cloud kernel boots on it; TCG (emulation, about 4 s per boot) otherwise. A nested
// host can pass KVM_CREATE_VM and still refuse the vCPU's MSRs, or reset the vCPU and then hang the guest kernel,
// so the check goes as far as a kernel boot. Decided once per process, with the reason, for the probe and the logs;
// the boot test's verdict is kept per host boot (microvm-accel-cache.ts), since a hung KVM guest burns a core for 10 s.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { type Accelerator, cachedVerdict, keepVerdict } from "./microvm-accel-cache";
import { cloudKernelRelease } from "./microvm-image";

export type { Accelerator };

let decided: Accelerator | undefined;
const BOOT_TEST_MS = 10_000;

export function chooseAccelerator(qemu: string): Accelerator {
  if (decided) return decided;
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch (error) {
    decided = { accel: "tcg", why: `/dev/kvm is not usable (${(error as NodeJS.ErrnoException).code ?? "error"})` };
    return decided;
  }
  // `-S` stops before the first instruction but after the vCPU is created and reset; `quit` on the monitor ends it.
  const tried = spawnSync(qemu, ["-M", "microvm", "-accel", "kvm", "-cpu", "host", "-nodefaults", "-display", "none", "-S", "-monitor", "stdio"], { input: "quit\n", encoding: "utf8", timeout: 10_000 });
  if (tried.status !== 0) {
    decided = { accel: "tcg", why: `/dev/kvm opens but a KVM vCPU does not start: ${(tried.stderr || tried.error?.message || `exit ${tried.status}`).trim().split("\n")[0]}` };
    return decided;
  }
  const release = cloudKernelRelease();
  if (!release) {
    decided = { accel: "kvm", why: "/dev/kvm opens and a KVM vCPU starts (no cloud kernel to boot-test yet)" };
    return decided;
  }
  decided = cachedVerdict(qemu, release) ?? keepVerdict(qemu, release, kernelBoots(qemu, release));
  return decided;
}

/**
 * A vCPU that resets can still fail to run a kernel: a nested host's KVM hung (29 s of host CPU, no output) or
 * stopped on an internal error while the guest kernel booted. So the host's cloud kernel is booted once, without a
 * root disk: under a working KVM it reaches "Unable to mount root fs" and panics in about a second (TCG: ~3 s).
 */
function kernelBoots(qemu: string, release: string): Accelerator {
  const booted = spawnSync(
    qemu,
    ["-M", "microvm,isa-serial=on", "-accel", "kvm", "-cpu", "host", "-m", "256", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
      "-kernel", `/boot/vmlinuz-${release}`, "-append", "console=ttyS0 panic=-1 loglevel=3 tsc=reliable no_timer_check", "-serial", "stdio"],
    { encoding: "utf8", timeout: BOOT_TEST_MS, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = `${booted.stdout ?? ""}${booted.stderr ?? ""}`;
  if (/Unable to mount root fs/.test(output)) return { accel: "kvm", why: "/dev/kvm opens and the cloud kernel boots on KVM" };
  const failure = kvmInternalError(output) ?? (booted.error ? `no kernel panic within ${BOOT_TEST_MS / 1000} s` : `exit ${booted.status}`);
  return { accel: "tcg", why: `/dev/kvm opens and a KVM vCPU starts, but the cloud kernel does not boot on it (${failure})` };
}

/** QEMU's report of a vCPU that KVM stopped (kvm_handle_internal_error), after which the VM is paused for good. */
export function kvmInternalError(qemuOutput: string): string | undefined {
  return /KVM internal error\. Suberror: \d+/.exec(qemuOutput)?.[0];
}

/**
 * A VM of this process stopped on a KVM internal error (a nested host's KVM that cannot emulate an instruction the
 * guest kernel runs, e.g. a locked cmpxchg16b on emulated memory): QEMU then pauses the VM instead of exiting, and the
 * probe's vCPU reset could not have foreseen it. Later VMs of this process use TCG.
 */
export function kvmFailed(qemu: string, why: string): void {
  decided = { accel: "tcg", why: `KVM started but a VM stopped on a KVM internal error (${why}); TCG from then on` };
  const release = cloudKernelRelease();
  if (release) keepVerdict(qemu, release, decided);
}
