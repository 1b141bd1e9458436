// The seccomp filter every bwrap job runs under (issue #13), after Docker's default profile: system calls that
// reach kernel surface a CI job has no use for, or that would let it undo its sandbox, fail with EPERM so programs
// degrade instead of dying. Built once per process (a few hundred bytes) and handed to each bwrap on a pipe.
// gVisor filters in its Sentry and a microvm has a kernel of its own, so only bwrap needs this.
import os from "node:os";
import { assemble, jeq, jge, jset, label, load, ret, retErrno, SECCOMP_DATA, SECCOMP_RET_ALLOW, type Instruction } from "./seccomp-bpf";
import { AUDIT_ARCH, seccompArchOf, syscallNumber, X32_SYSCALL_BIT, type SeccompArch, type SyscallName } from "./seccomp-syscalls";

const EPERM = 1;
const ENOSYS = 38;

/** Refused outright. Most also need a capability the job lacks; the filter keeps them off the kernel's attack surface even from a user namespace that would grant it. */
export const DENIED_SYSCALLS: readonly SyscallName[] = [
  // Kernel keyrings are not namespaced: another tenant's keys, and a long record of keyring CVEs.
  "keyctl", "add_key", "request_key",
  // eBPF, userfaultfd (stalls the kernel mid-copy, a race-exploit staple) and perf: kernel attack surface.
  "bpf", "userfaultfd", "perf_event_open",
  // io_uring bypasses seccomp for the operations it runs, and has had many privilege escalations (Docker blocks it too).
  "io_uring_setup", "io_uring_enter", "io_uring_register",
  // Mounts, old API and new: the sandbox's filesystem view is bwrap's, not the job's to change.
  "mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "open_tree_attr", "mount_setattr",
  // Joining namespaces (new ones: clone and unshare below).
  "setns",
  // The host's kernel, modules, clock, swap, accounting, quotas and log are not the job's.
  "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module", "get_kernel_syms", "query_module",
  "reboot", "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog",
  // File handles open any inode of a mount by number, outside the sandbox's binds (the "shocker" escape).
  "open_by_handle_at", "name_to_handle_at",
  // Obsolete or hardware-facing: nothing to gain, surface to lose.
  "lookup_dcookie", "nfsservctl", "uselib", "_sysctl", "iopl", "ioperm",
];

/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET: a job gets no namespaces of its own. */
const CLONE_NEW_NAMESPACES = 0x7e020000;
/** unshare also takes CLONE_NEWTIME (in clone's flags that bit is part of the exit signal). */
const UNSHARE_NEW_NAMESPACES = CLONE_NEW_NAMESPACES | 0x00000080;
/** personality(): querying (0xffffffff), PER_LINUX32, UNAME26 and ADDR_NO_RANDOMIZE (gdb, setarch -R) are allowed; READ_IMPLIES_EXEC, MMAP_PAGE_ZERO and the other personalities are not. */
const PERSONALITY_QUERY = 0xffffffff;
const PERSONALITY_ALLOWED_BITS = 0x0008 | 0x0020000 | 0x0040000;

export interface FilterPolicy {
  arch: SeccompArch;
  /** ptrace within the sandbox (strace, gdb). Safe from kernel 4.8, where a tracer can no longer skip the filter. */
  allowPtrace: boolean;
}

/** The filter as classic-BPF instructions; `assemble` makes the bytes bwrap loads. */
export function jobFilterProgram(policy: FilterPolicy): Instruction[] {
  const number = (name: SyscallName): number[] => {
    const nr = syscallNumber(policy.arch, name);
    return nr === undefined ? [] : [nr];
  };
  const denied = [...DENIED_SYSCALLS, ...(policy.allowPtrace ? [] : (["ptrace"] as const))].flatMap(number);
  const [clone, clone3, unshare, personality] = (["clone", "clone3", "unshare", "personality"] as const).map((name) => number(name)[0]);
  if (clone === undefined || clone3 === undefined || unshare === undefined || personality === undefined) throw new Error(`seccomp: no numbers for ${policy.arch}`);
  return [
    // Another ABI (i386 through int 0x80 on x86_64, arm32 on arm64) numbers calls differently: refuse all of it.
    load(SECCOMP_DATA.arch),
    jeq(AUDIT_ARCH[policy.arch], "native", "deny"),
    label("native"),
    load(SECCOMP_DATA.nr),
    ...(policy.arch === "x86_64" ? [jge(X32_SYSCALL_BIT, "deny")] : []),
    ...denied.map((nr) => jeq(nr, "deny")),
    // clone3 passes its flags in memory, out of the filter's reach: ENOSYS makes glibc fall back to clone.
    jeq(clone3, "enosys"),
    jeq(clone, "clone"),
    jeq(unshare, "unshare"),
    jeq(personality, "personality"),
    ret(SECCOMP_RET_ALLOW),
    label("clone"),
    load(SECCOMP_DATA.arg0Low),
    jset(CLONE_NEW_NAMESPACES, "deny", "allow"),
    label("unshare"),
    load(SECCOMP_DATA.arg0Low),
    jset(UNSHARE_NEW_NAMESPACES, "deny", "allow"),
    label("personality"),
    load(SECCOMP_DATA.arg0Low),
    jeq(PERSONALITY_QUERY, "allow"),
    jset(~PERSONALITY_ALLOWED_BITS >>> 0, "deny", "allow"),
    label("allow"),
    ret(SECCOMP_RET_ALLOW),
    label("deny"),
    ret(retErrno(EPERM)),
    label("enosys"),
    ret(retErrno(ENOSYS)),
  ];
}

/** True on kernels from 4.8, where seccomp runs again after a tracer changes a call (Docker allows ptrace there). */
export function ptraceKeepsFilter(release: string): boolean {
  const [major = 0, minor = 0] = release.split(/[.-]/).map(Number);
  return major > 4 || (major === 4 && minor >= 8);
}

let cached: { filter: Buffer | undefined } | undefined;

/** This host's job filter, assembled on first use; undefined when the CPU architecture has no table (bwrap then refuses to run). */
export function jobSeccompFilter(): Buffer | undefined {
  if (cached) return cached.filter;
  const arch = seccompArchOf(process.arch);
  cached = { filter: arch === undefined ? undefined : assemble(jobFilterProgram({ arch, allowPtrace: ptraceKeepsFilter(os.release()) })) };
  return cached.filter;
}
