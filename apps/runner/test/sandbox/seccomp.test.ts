// The seccomp filter of bwrap jobs (issue #13): each denied call is made from inside a real bwrap job by
// seccomp-probe.c with arguments the kernel alone would answer with something other than EPERM, so every
// expectation here fails without the filter. Ordinary job work (shell, git, node, python, threads, strace) must
// still run.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BwrapProvider } from "../../src/sandbox/bwrap-provider";
import { which } from "../../src/sandbox/host-tools";
import { assemble, jeq, label, load, ret, SECCOMP_RET_ALLOW } from "../../src/sandbox/seccomp-bpf";
import { DENIED_SYSCALLS, jobSeccompFilter, ptraceKeepsFilter } from "../../src/sandbox/seccomp-filter";
import { syscallNumber, type SyscallName } from "../../src/sandbox/seccomp-syscalls";
import { sandboxHarness } from "./isolation-suite";

const provider = new BwrapProvider();
const probe = await provider.probe();
const cc = which("cc");
if (!probe.available) console.warn(`seccomp tests skipped: ${probe.detail}`);
else if (!cc) console.warn("seccomp tests skipped: no C compiler for the probe (apt-get install gcc)");

const PROBE_SOURCE = fileURLToPath(new URL("./seccomp-probe.c", import.meta.url));
const x64 = process.arch === "x64";

describe("seccomp program", () => {
  const headerNumbers = (file: string, prefix: RegExp): Map<string, number> => {
    const numbers = new Map<string, number>();
    if (!existsSync(file)) return numbers;
    for (const match of readFileSync(file, "utf8").matchAll(new RegExp(`^#define ${prefix.source}(\\w+)\\s+(\\d+)\\s*$`, "gm"))) {
      const [, name, nr] = match;
      if (name !== undefined && nr !== undefined) numbers.set(name, Number(nr));
    }
    return numbers;
  };
  const named: SyscallName[] = [...DENIED_SYSCALLS, "clone", "clone3", "unshare", "personality", "ptrace"];

  it.skipIf(!existsSync("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"))("numbers x86_64 calls as the kernel's headers do", () => {
    const headers = headerNumbers("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", /__NR_/);
    const checked = named.filter((name) => headers.has(name));
    expect(checked.length).toBeGreaterThan(named.length - 3);
    for (const name of checked) expect([name, syscallNumber("x86_64", name)]).toEqual([name, headers.get(name)]);
  });

  it.skipIf(!existsSync("/usr/include/asm-generic/unistd.h"))("numbers aarch64 calls as asm-generic/unistd.h does, and leaves out what arm64 lacks", () => {
    const headers = headerNumbers("/usr/include/asm-generic/unistd.h", /__NR(?:3264)?_/);
    for (const name of named) {
      if (headers.has(name)) expect([name, syscallNumber("aarch64", name)]).toEqual([name, headers.get(name)]);
    }
    for (const name of ["iopl", "ioperm", "uselib", "_sysctl"] as const) expect(syscallNumber("aarch64", name)).toBeUndefined();
  });

  it("assembles 8 little-endian bytes per instruction with relative jumps", () => {
    const bytes = assemble([load(0), jeq(39, "deny"), ret(SECCOMP_RET_ALLOW), label("deny"), ret(0x00050001)]);
    expect(bytes.toString("hex")).toBe(["2000000000000000", "1500010027000000", "060000000000ff7f", "0600000001000500"].join(""));
  });

  it("refuses programs the kernel would", () => {
    expect(() => assemble([jeq(1, "nowhere"), ret(0)])).toThrow(/no label nowhere/);
    expect(() => assemble([load(0)])).toThrow(/must end with a return/);
    const far = [jeq(1, "end"), ...Array.from({ length: 256 }, () => load(0)), label("end"), ret(0)];
    expect(() => assemble(far)).toThrow(/out of range/);
  });

  it("allows ptrace only where a tracer cannot skip the filter (Linux 4.8)", () => {
    expect(ptraceKeepsFilter("6.18.44-fc")).toBe(true);
    expect(ptraceKeepsFilter("4.8.0")).toBe(true);
    expect(ptraceKeepsFilter("4.4.0-210-generic")).toBe(false);
    expect(ptraceKeepsFilter("3.10.0")).toBe(false);
  });

  it("is built once per process", () => {
    expect(jobSeccompFilter()).toBe(jobSeccompFilter());
  });
});

describe.skipIf(!probe.available || !cc)("bwrap jobs under the seccomp filter", () => {
  const { sandbox, run } = sandboxHarness(provider);
  const buildDir = mkdtempSync(path.join(os.tmpdir(), "gantry-seccomp-probe-"));
  const probeBinary = path.join(buildDir, "probe");
  beforeAll(() => {
    const built = spawnSync(cc ?? "cc", ["-O1", "-Wall", "-o", probeBinary, PROBE_SOURCE], { encoding: "utf8" });
    if (built.status !== 0) throw new Error(`building seccomp-probe.c failed: ${built.stderr}`);
  });
  afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

  /** Each named call's result from inside a fresh job: "ok" or the errno's name. */
  async function calls(...names: string[]): Promise<Record<string, string>> {
    const s = await sandbox();
    copyFileSync(probeBinary, path.join(s.hostPaths.workspace, "probe"));
    chmodSync(path.join(s.hostPaths.workspace, "probe"), 0o755);
    const r = await run(s, `./probe ${names.join(" ")}`);
    expect(r.exitCode, r.text).toBe(0);
    return Object.fromEntries(r.text.trim().split("\n").map((line) => line.split("=")));
  }
  const refused = (names: string[]) => Object.fromEntries(names.map((name) => [name, "EPERM"]));

  it("refuses keyrings, bpf, userfaultfd, perf_event_open and io_uring with EPERM", async () => {
    const names = ["keyctl", "add_key", "request_key", "bpf", "userfaultfd", "perf_event_open", "io_uring_setup", "io_uring_enter", "io_uring_register"];
    expect(await calls(...names)).toEqual(refused(names));
  });

  it("refuses mounts through the old API and the new", async () => {
    const names = ["mount", "umount2", "open_tree", "open_tree_attr", "fsconfig", "mount_setattr", "pivot_root", "fsopen", "move_mount", "fsmount", "fspick"];
    expect(await calls(...names)).toEqual(refused(names));
  });

  it("refuses new namespaces, joining one, and clone3, but not fork, threads or unshare of the rest", async () => {
    expect(await calls("unshare_user", "clone_newuser", "setns", "clone3", "clone_fork", "unshare_files")).toEqual({
      unshare_user: "EPERM", clone_newuser: "EPERM", setns: "EPERM", clone3: "ENOSYS", clone_fork: "ok", unshare_files: "ok",
    });
    const s = await sandbox();
    const r = await run(s, "unshare -U true; echo unshare=$?; unshare --mount true; unshare -Ur sh -c 'mount -t tmpfs none /tmp && echo mounted'; echo end");
    expect(r.text).toMatch(/unshare failed: Operation not permitted/);
    expect(r.text).toContain("unshare=1");
    expect(r.text).not.toContain("mounted");
    expect(r.text).toContain("end");
  });

  it("refuses clock changes, file handles and quotas", async () => {
    const names = ["settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "name_to_handle_at", "quotactl_fd"];
    expect(await calls(...names)).toEqual(refused(names));
  });

  it("allows only harmless personalities", async () => {
    expect(await calls("personality_read_implies_exec", "personality_query", "personality_linux32")).toEqual({
      personality_read_implies_exec: "EPERM", personality_query: "ok", personality_linux32: "ok",
    });
  });

  it.skipIf(!x64)("refuses the i386 (int 0x80) and x32 ABIs, iopl and ioperm", async () => {
    const names = ["i386_getpid", "x32_getpid", "iopl", "ioperm"];
    expect(await calls(...names)).toEqual(refused(names));
  });

  it("leaves ordinary job work alone: shell, git, node and python threads, ptrace for strace", async () => {
    expect(await calls("ptrace_traceme")).toEqual({ ptrace_traceme: "ok" });
    const s = await sandbox();
    const script = [
      "set -e",
      "echo a b c | tr ' ' '\\n' | sort -r | head -1",
      "git init -q repo && cd repo && echo x > f && git add f && git -c user.email=ci@example.com -c user.name=ci commit -qm one && git log --format=%s && cd ..",
      "node -e 'const { Worker } = require(\"worker_threads\"); new Worker(\"require(\\\"worker_threads\\\").parentPort.postMessage(6*7)\", { eval: true }).on(\"message\", (m) => console.log(\"node-worker\", m))'",
      "python3 -c 'import threading, subprocess; t = threading.Thread(target=lambda: print(\"py-thread\")); t.start(); t.join(); print(subprocess.run([\"true\"]).returncode)'",
      "if command -v strace >/dev/null; then strace -f -o /dev/null sh -c 'true' && echo strace-ok; else echo strace-ok; fi",
      "echo done",
    ].join("\n");
    const r = await run(s, script);
    expect(r.text).toContain("c\n");
    expect(r.text).toContain("one\n");
    expect(r.text).toContain("node-worker 42");
    expect(r.text).toContain("py-thread\n0\n");
    expect(r.text).toContain("strace-ok");
    expect(r.text).toContain("done");
    expect(r.exitCode, r.text).toBe(0);
  });

  // The job holds no capabilities, so many calls fail with EPERM with or without the filter (pivot_root, fsopen,
  // acct, swapon, …). Here bwrap (as root, test-only) runs the probe as root with every capability: each call then
  // passes the kernel's own permission checks (the arguments make it fail harmlessly later), and must still be
  // refused by the filter. This checks every rule of the program against the real kernel.
  it.skipIf(process.getuid?.() !== 0)("refuses each denied call even to a process holding every capability", () => {
    const denied = [
      "keyctl", "add_key", "request_key", "bpf", "userfaultfd", "perf_event_open", "io_uring_setup", "io_uring_enter", "io_uring_register",
      "mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "open_tree_attr", "mount_setattr",
      "unshare_user", "clone_newuser", "setns", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
      "reboot", "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog",
      "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "nfsservctl", "personality_read_implies_exec",
      ...(x64 ? ["uselib", "_sysctl", "iopl", "ioperm", "i386_getpid", "x32_getpid"] : []),
    ];
    const allowed = ["clone_fork", "unshare_files", "personality_query", "personality_linux32", "ptrace_traceme"];
    const asRoot = (filter: Buffer | undefined): Record<string, string> => {
      const args = ["--unshare-pid", "--unshare-net", "--cap-add", "ALL", "--ro-bind", "/", "/", "--tmpfs", "/tmp", "--ro-bind", probeBinary, "/tmp/probe", "--proc", "/proc", "--dev", "/dev"];
      const names = [...denied, "clone3", ...allowed];
      const result = spawnSync("bwrap", [...(filter ? ["--seccomp", "0"] : []), ...args, "--", "/tmp/probe", ...names], { ...(filter ? { input: filter } : {}), encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
      return Object.fromEntries(result.stdout.trim().split("\n").map((line) => line.split("=")));
    };
    const without = asRoot(undefined);
    for (const name of [...denied, "clone3"]) expect([name, without[name]]).not.toEqual([name, "EPERM"]);
    expect(asRoot(jobSeccompFilter())).toEqual({ ...refused(denied), clone3: "ENOSYS", ...Object.fromEntries(allowed.map((name) => [name, "ok"])) });
  });
});
