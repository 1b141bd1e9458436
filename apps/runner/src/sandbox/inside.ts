// How a job's filesystem looks from inside every Linux sandbox (bwrap, gVisor, the microvm guest), so a step
// sees the same paths and base env whichever provider runs it.
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import type { SandboxPaths } from "./types";

export const INSIDE: SandboxPaths = { workspace: "/home/runner/work", temp: "/tmp", runnerFiles: "/home/runner/_temp" };
export const INSIDE_HOME = "/home/runner";
export const BASE_ENV = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: INSIDE_HOME, LANG: "C.UTF-8", USER: "runner" };
/** What a shell, coreutils, git and TLS need of the host's /etc; never shadow, ssh keys or the runner's config. */
export const HOST_ETC = ["passwd", "group", "hosts", "resolv.conf", "nsswitch.conf", "host.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "ssl", "ca-certificates", "ca-certificates.conf", "mime.types", "protocols", "services"];
/** Top-level directories bound read-only besides /usr (symlinks into /usr on merged-/usr hosts). */
const HOST_ROOTS = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];

/**
 * The host's top-level directories as a sandbox recreates them: a merged-/usr link (`/bin -> usr/bin`) is made
 * again as a link rather than bound a second time; a real directory is bound read-only. Absent ones are left out.
 */
export function hostRoots(): { path: string; link?: string }[] {
  return HOST_ROOTS.filter((root) => existsSync(root)).map((root) => (lstatSync(root).isSymbolicLink() ? { path: root, link: readlinkSync(root) } : { path: root }));
}
