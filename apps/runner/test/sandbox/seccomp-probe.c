/*
 * Test helper for seccomp.test.ts: makes each named system call inside a sandbox and prints `name=ok` or
 * `name=<errno name>`. Arguments are chosen so that, without the seccomp filter, the kernel answers something
 * other than EPERM (success, EFAULT, EBADF, EINVAL, …): a line reading EPERM then means the filter said no.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

/* A system call through the i386 ABI (int 0x80) from this 64-bit process: getpid is 20 there. */
static long i386_getpid(void) {
#if defined(__x86_64__)
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
  if (ret < 0) {
    errno = (int)-ret;
    return -1;
  }
  return ret;
#else
  errno = ENOSYS;
  return -1;
#endif
}

/* clone(2) without a new stack: the child returns here like fork's, and exits at once. */
static long raw_clone(unsigned long flags) {
  long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, 0);
  return pid < 0 ? -1 : 0;
}

static long call(const char *name) {
  struct timex tx = {0};
  struct timeval bad_time = {0, 2000000}; /* refused as invalid before any permission check */
  if (!strcmp(name, "keyctl")) return syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0);
  if (!strcmp(name, "add_key")) return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0);
  if (!strcmp(name, "request_key")) return syscall(SYS_request_key, NULL, NULL, NULL, 0);
  if (!strcmp(name, "bpf")) return syscall(SYS_bpf, 0xdead, NULL, 0);
  if (!strcmp(name, "userfaultfd")) return syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY */);
  if (!strcmp(name, "perf_event_open")) return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
  if (!strcmp(name, "io_uring_setup")) return syscall(SYS_io_uring_setup, 1, NULL);
  if (!strcmp(name, "io_uring_enter")) return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
  if (!strcmp(name, "io_uring_register")) return syscall(SYS_io_uring_register, -1, 0, NULL, 0);
  if (!strcmp(name, "mount")) return syscall(SYS_mount, NULL, NULL, NULL, 0, NULL);
  if (!strcmp(name, "umount2")) return syscall(SYS_umount2, "/", 0xffff);
  if (!strcmp(name, "pivot_root")) return syscall(SYS_pivot_root, NULL, NULL);
  if (!strcmp(name, "fsopen")) return syscall(SYS_fsopen, NULL, 0);
  if (!strcmp(name, "move_mount")) return syscall(SYS_move_mount, -1, NULL, -1, NULL, 0xffff);
  if (!strcmp(name, "open_tree")) return syscall(SYS_open_tree, -1, NULL, 0xffff);
  if (!strcmp(name, "open_tree_attr")) return syscall(SYS_open_tree_attr, -1, NULL, 0xffff, NULL, 0);
  if (!strcmp(name, "fsconfig")) return syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0);
  if (!strcmp(name, "fsmount")) return syscall(SYS_fsmount, -1, 0, 0);
  if (!strcmp(name, "fspick")) return syscall(SYS_fspick, -1, NULL, 0xffff);
  if (!strcmp(name, "mount_setattr")) return syscall(SYS_mount_setattr, -1, NULL, 0xffff, NULL, 0);
  if (!strcmp(name, "unshare_user")) return syscall(SYS_unshare, CLONE_NEWUSER);
  if (!strcmp(name, "unshare_files")) return syscall(SYS_unshare, CLONE_FILES);
  if (!strcmp(name, "setns")) return syscall(SYS_setns, -1, 0);
  if (!strcmp(name, "clone_newuser")) return raw_clone(CLONE_NEWUSER);
  if (!strcmp(name, "clone_fork")) return raw_clone(0);
  if (!strcmp(name, "clone3")) return syscall(SYS_clone3, NULL, 0);
  if (!strcmp(name, "kexec_load")) return syscall(SYS_kexec_load, 0, 0, NULL, 0xffffffffUL);
  if (!strcmp(name, "kexec_file_load")) return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0xffffffffUL);
  if (!strcmp(name, "init_module")) return syscall(SYS_init_module, NULL, 0, NULL);
  if (!strcmp(name, "finit_module")) return syscall(SYS_finit_module, -1, NULL, 0xffff);
  if (!strcmp(name, "delete_module")) return syscall(SYS_delete_module, NULL, 0);
  if (!strcmp(name, "acct")) return syscall(SYS_acct, "/nonexistent/acct");
  if (!strcmp(name, "swapon")) return syscall(SYS_swapon, NULL, 0);
  if (!strcmp(name, "swapoff")) return syscall(SYS_swapoff, NULL);
  if (!strcmp(name, "reboot")) return syscall(SYS_reboot, 0, 0, 0, NULL);
  if (!strcmp(name, "syslog")) return syscall(SYS_syslog, 3 /* READ_ALL */, NULL, -1);
  if (!strcmp(name, "quotactl")) return syscall(SYS_quotactl, 0, NULL, 0, NULL);
  if (!strcmp(name, "open_by_handle_at")) return syscall(SYS_open_by_handle_at, -1, NULL, 0);
  if (!strcmp(name, "lookup_dcookie")) return syscall(SYS_lookup_dcookie, 0, NULL, 0);
  if (!strcmp(name, "nfsservctl")) return syscall(SYS_nfsservctl, 0, NULL, NULL);
#if defined(__x86_64__)
  if (!strcmp(name, "uselib")) return syscall(SYS_uselib, NULL);
  if (!strcmp(name, "_sysctl")) return syscall(SYS__sysctl, NULL);
#endif
  if (!strcmp(name, "settimeofday")) return syscall(SYS_settimeofday, &bad_time, NULL);
  if (!strcmp(name, "clock_settime")) return syscall(SYS_clock_settime, 9999, NULL);
  if (!strcmp(name, "adjtimex")) return syscall(SYS_adjtimex, &tx);
  if (!strcmp(name, "clock_adjtime")) return syscall(SYS_clock_adjtime, 0, &tx);
  if (!strcmp(name, "name_to_handle_at")) return syscall(SYS_name_to_handle_at, -100, "/", NULL, NULL, 0);
  if (!strcmp(name, "quotactl_fd")) return syscall(SYS_quotactl_fd, -1, 0, 0, NULL);
  if (!strcmp(name, "personality_read_implies_exec")) return syscall(SYS_personality, 0x0400000) == -1 ? -1 : 0;
  if (!strcmp(name, "personality_query")) return syscall(SYS_personality, 0xffffffff) == -1 ? -1 : 0;
  if (!strcmp(name, "personality_linux32")) return syscall(SYS_personality, 0x0008) == -1 ? -1 : 0;
#if defined(__x86_64__)
  if (!strcmp(name, "iopl")) return syscall(SYS_iopl, 0);
  if (!strcmp(name, "ioperm")) return syscall(SYS_ioperm, 0, 0, 0);
  if (!strcmp(name, "x32_getpid")) return syscall(0x40000000 | SYS_getpid);
  if (!strcmp(name, "i386_getpid")) return i386_getpid();
#endif
  if (!strcmp(name, "ptrace_traceme")) return syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, NULL, NULL);
  errno = EDOM;
  return -1;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    /* Each call in a child of its own: one that succeeds (unshare, personality) changes nothing for the next. */
    pid_t child = fork();
    if (child == 0) {
      errno = 0;
      long ret = call(argv[i]);
      if (ret == -1) printf("%s=%s\n", argv[i], strerrorname_np(errno));
      else printf("%s=ok\n", argv[i]);
      fflush(stdout);
      _exit(0);
    }
    if (child < 0 || waitpid(child, NULL, 0) < 0) return 1;
  }
  return 0;
}
