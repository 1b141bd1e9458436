/*
 * Preloaded into every gVisor sandbox (/etc/ld.so.preload) by sandbox/gvisor-shim.ts.
 *
 * Debian bookworm's runsc (0.0~20221219) answers EINVAL to statx() with AT_NO_AUTOMOUNT, a flag newer gVisor
 * accepts and ignores. glibc 2.36's coreutils (ls, stat, cp, …) pass it on every call, so without this shim
 * `ls /` fails inside the sandbox. gVisor has no automount points, so dropping the flag changes nothing else.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct statx *statxbuf) {
  return (int)syscall(SYS_statx, dirfd, pathname, flags & ~AT_NO_AUTOMOUNT, mask, statxbuf);
}
