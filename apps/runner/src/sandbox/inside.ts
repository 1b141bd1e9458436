// How a job's filesystem looks from inside every Linux sandbox (bwrap, gVisor, the microvm guest), so a step
// sees the same paths and base env whichever provider runs it.
import type { SandboxPaths } from "./types";

export const INSIDE: SandboxPaths = { workspace: "/home/runner/work", temp: "/tmp", runnerFiles: "/home/runner/_temp" };
export const INSIDE_HOME = "/home/runner";
export const BASE_ENV = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: INSIDE_HOME, LANG: "C.UTF-8", USER: "runner" };
/** What a shell, coreutils, git and TLS need of the host's /etc; never shadow, ssh keys or the runner's config. */
export const HOST_ETC = ["passwd", "group", "hosts", "resolv.conf", "nsswitch.conf", "host.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "ssl", "ca-certificates", "ca-certificates.conf", "mime.types", "protocols", "services"];
/** Top-level directories bound read-only besides /usr (symlinks into /usr on merged-/usr hosts). */
export const HOST_ROOTS = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];
