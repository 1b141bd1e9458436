// KVM when /dev/kvm opens read-write and QEMU can create a microvm with a vCPU on it (KVM_CREATE_VM, then the
// vCPU's reset); TCG (emulation, about 4 s per boot) otherwise. A nested host can pass KVM_CREATE_VM and still
// refuse the vCPU's MSRs, so the check goes as far as the reset. Decided once per process, with the reason, for the probe and the logs.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

export interface Accelerator {
  accel: "kvm" | "tcg";
  why: string;
}

let decided: Accelerator | undefined;

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
  decided = tried.status === 0
    ? { accel: "kvm", why: "/dev/kvm opens and a KVM vCPU starts" }
    : { accel: "tcg", why: `/dev/kvm opens but a KVM vCPU does not start: ${(tried.stderr || tried.error?.message || `exit ${tried.status}`).trim().split("\n")[0]}` };
  return decided;
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
export function kvmFailed(why: string): void {
  decided = { accel: "tcg", why: `KVM started but a VM stopped on a KVM internal error (${why}); TCG from then on` };
}
