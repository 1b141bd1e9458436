// System call numbers the job filter names, per architecture. x86_64 from the kernel's
// arch/x86/entry/syscalls/syscall_64.tbl (as in /usr/include/x86_64-linux-gnu/asm/unistd_64.h), aarch64 from
// include/uapi/asm-generic/unistd.h; both checked by seccomp.test.ts against the host's headers where present.
// A name missing from an architecture does not exist there (iopl on arm64, say).

/** AUDIT_ARCH_* (linux/audit.h): what `seccomp_data.arch` says for a call made through that ABI. */
export const AUDIT_ARCH = { x86_64: 0xc000003e, aarch64: 0xc00000b7 } as const;
export type SeccompArch = keyof typeof AUDIT_ARCH;

/** x32 calls arrive as x86_64 with this bit set in the number. */
export const X32_SYSCALL_BIT = 0x40000000;

const common = {
  add_key: [248, 217],
  acct: [163, 89],
  adjtimex: [159, 171],
  bpf: [321, 280],
  clock_adjtime: [305, 266],
  clock_settime: [227, 112],
  clone: [56, 220],
  clone3: [435, 435],
  delete_module: [176, 106],
  finit_module: [313, 273],
  fsconfig: [431, 431],
  fsmount: [432, 432],
  fsopen: [430, 430],
  fspick: [433, 433],
  init_module: [175, 105],
  io_uring_enter: [426, 426],
  io_uring_register: [427, 427],
  io_uring_setup: [425, 425],
  kexec_file_load: [320, 294],
  kexec_load: [246, 104],
  keyctl: [250, 219],
  lookup_dcookie: [212, 18],
  mount: [165, 40],
  mount_setattr: [442, 442],
  move_mount: [429, 429],
  name_to_handle_at: [303, 264],
  nfsservctl: [180, 42],
  open_by_handle_at: [304, 265],
  open_tree: [428, 428],
  open_tree_attr: [467, 467],
  perf_event_open: [298, 241],
  personality: [135, 92],
  pivot_root: [155, 41],
  ptrace: [101, 117],
  quotactl: [179, 60],
  quotactl_fd: [443, 443],
  reboot: [169, 142],
  request_key: [249, 218],
  setns: [308, 268],
  settimeofday: [164, 170],
  swapoff: [168, 225],
  swapon: [167, 224],
  syslog: [103, 116],
  umount2: [166, 39],
  unshare: [272, 97],
  userfaultfd: [323, 282],
} as const satisfies Record<string, readonly [number, number]>;

/** Only on x86_64. */
const x86Only = { create_module: 174, get_kernel_syms: 177, ioperm: 173, iopl: 172, query_module: 178, uselib: 134, _sysctl: 156 } as const;

export type SyscallName = keyof typeof common | keyof typeof x86Only;

/** The number of `name` on `arch`, or undefined when that architecture has no such call. */
export function syscallNumber(arch: SeccompArch, name: SyscallName): number | undefined {
  if (isCommon(name)) return common[name][arch === "x86_64" ? 0 : 1];
  return arch === "x86_64" ? x86Only[name] : undefined;
}

const isCommon = (name: SyscallName): name is keyof typeof common => Object.hasOwn(common, name);

/** The filter's architecture for this Node's, or undefined when it has no table here. */
export function seccompArchOf(nodeArch: string): SeccompArch | undefined {
  if (nodeArch === "x64") return "x86_64";
  if (nodeArch === "arm64") return "aarch64";
  return undefined;
}
