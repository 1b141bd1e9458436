// The hostile-job checks every isolating provider must pass (issue #6): each test fails if the isolation or
// limit it names is missing. bwrap.test.ts and gvisor.test.ts run it against real sandboxes; their own files add
// what is particular to the provider.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it as vitestIt } from "vitest";
import type { Sandbox, SandboxProvider, SandboxSpec } from "../../src/sandbox/types";
import { warmQuotaVolumes } from "../../src/sandbox/warm-volumes";
import { collect } from "../execution/helpers";

export interface SandboxHarness {
  sandbox(spec?: Partial<SandboxSpec>): Promise<Sandbox>;
  run(s: Sandbox, script: string, env?: Record<string, string>): Promise<{ text: string; exitCode: number | null; timedOut: boolean; stopped: boolean }>;
}

export function sandboxHarness(provider: SandboxProvider): SandboxHarness {
  const opened: Sandbox[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.destroy()));
    await warmQuotaVolumes.close();
  });
  return {
    async sandbox(spec = {}) {
      const s = await provider.prepare({ untrusted: true, ...spec });
      opened.push(s);
      return s;
    },
    async run(s, script, env = {}) {
      const child = s.exec({ argv: ["/bin/bash", "-c", script], env: { ...s.baseEnv, ...env }, cwd: s.paths.workspace });
      const text = await collect(child.output);
      return { text, ...(await child.wait()) };
    },
  };
}

const hostPids = () => readdirSync("/proc").filter((p) => /^\d+$/.test(p));
function hostCmdlines(): string[] {
  return hostPids().flatMap((p) => {
    try {
      return [readFileSync(`/proc/${p}/cmdline`, "utf8")];
    } catch {
      return [];
    }
  });
}

export interface IsolationOptions {
  /** Every exec boots a VM (microvm under TCG): "slow:" names and a minute per test. */
  slow?: boolean;
  /** How reading /etc/shadow fails: not there (bwrap, gvisor: the host's is never bound) or not readable (a VM's own). */
  shadowRefusal?: RegExp;
  /** The job runs on a kernel of its own: checked by its release, not by counting what its /proc shows. */
  ownKernel?: boolean;
}

export function describeIsolation(name: string, provider: SandboxProvider, available: boolean, options: IsolationOptions = {}): void {
  const { sandbox, run } = sandboxHarness(provider);
  const timeout = options.slow ? 120_000 : 30_000;
  const it = (title: string, fn: () => Promise<void>) => vitestIt(`${options.slow ? "slow: " : ""}${title}`, { timeout }, fn);

  describe.skipIf(!available)(`${name} isolation`, () => {
    it("cannot read host files outside its binds", async () => {
      const hostDir = mkdtempSync(path.join(os.tmpdir(), "gantry-host-"));
      writeFileSync(path.join(hostDir, "credentials"), "runner-token");
      try {
        const s = await sandbox();
        const r = await run(s, `cat ${hostDir}/credentials; cat /etc/shadow; ls /root; ls /work; echo done`);
        expect(r.text).not.toContain("runner-token");
        expect(r.text).toMatch(/credentials: No such file/);
        expect(r.text).toMatch(new RegExp(`/etc/shadow: ${(options.shadowRefusal ?? /No such file/).source}`));
        expect(r.text).toMatch(/\/work.*No such file/);
        expect(r.text).toContain("done");
      } finally {
        rmSync(hostDir, { recursive: true, force: true });
      }
    });

    it("can write its workspace and /tmp but nothing else", async () => {
      const s = await sandbox();
      const r = await run(s, 'for f in /usr/x /etc/x /x /var/x /proc/x; do touch $f 2>/dev/null && echo "wrote $f"; done; echo ok > file.txt; echo t > /tmp/t; echo h > ~/h && echo home-ok; echo end');
      expect(r.text).not.toContain("wrote");
      expect(r.text).toContain("home-ok");
      expect(r.text).toContain("end");
      expect(readFileSync(path.join(s.hostPaths.workspace, "file.txt"), "utf8")).toBe("ok\n");
      expect(readFileSync(path.join(s.hostPaths.temp, "t"), "utf8")).toBe("t\n");
      expect(existsSync("/usr/x")).toBe(false);
    });

    it("keeps HOME across its execs (as GitHub's runners do), and a link planted where a bind lands does not move the workspace", async () => {
      const s = await sandbox();
      const first = await run(s, 'mkdir -p ~/.npm && echo kept > ~/.npm/marker && echo first-ok');
      expect(first.text).toContain("first-ok");
      const second = await run(s, 'cat ~/.npm/marker; echo ws > "$PWD/ws.txt"; echo second-ok');
      expect(second.text).toContain("kept\n");
      expect(second.text).toContain("second-ok");
      // Between execs ~/work is only a mount point: the job tries to make it a link elsewhere before the next one.
      const third = await run(s, 'cd ~ && (rm -rf ~/work.saved; mv ~/work ~/work.saved 2>/dev/null; ln -s /tmp ~/work 2>/dev/null); echo third-ok');
      expect(third.text).toContain("third-ok");
      const fourth = await run(s, 'cat ~/work/ws.txt; echo fourth-ok');
      expect(fourth.text).toContain("ws\n");
      expect(readFileSync(path.join(s.hostPaths.workspace, "ws.txt"), "utf8")).toBe("ws\n");
    });

    it("has no network with egress none", async () => {
      const server = net.createServer((socket) => socket.end("hello from host\n"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      try {
        const probeNet = `exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3 || echo refused`;
        const none = await run(await sandbox({ network: "none" }), probeNet);
        expect(none.text).not.toContain("hello from host");
        expect(none.text).toContain("refused");
      } finally {
        server.close();
      }
    });

    it("sees only its own processes", async () => {
      if (options.ownKernel) {
        // A kernel of its own: its /proc is the VM's, and nothing of the host's kernel is there to see.
        const r = await run(await sandbox(), "uname -r");
        expect(r.text.split("\n")[0]).not.toBe(os.release());
        return;
      }
      const r = await run(await sandbox(), `ls /proc | grep -E '^[0-9]+$' | wc -l; test -e /proc/${process.pid} && echo sees-host-pid; echo self=$$`);
      const [count] = r.text.trim().split("\n");
      // The sandbox's init (if any), bash, and the three pipeline stages: nothing of the host's.
      expect(Number(count)).toBeLessThanOrEqual(5);
      expect(r.text).not.toContain("sees-host-pid");
    });

    it("kills daemons with the exec and removes the workspace on destroy", async () => {
      const s = await sandbox();
      // The daemon's heartbeat is a file in the workspace: it stops growing only if the daemon is dead.
      const r = await run(s, "setsid nohup bash -c 'while :; do echo beat >> /home/runner/work/beat; sleep 0.1; done' >/dev/null 2>&1 & sleep 0.5; echo started");
      expect(r.text).toContain("started");
      const beat = path.join(s.hostPaths.workspace, "beat");
      expect(statSync(beat).size).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const settled = statSync(beat).size;
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(statSync(beat).size).toBe(settled);
      const workspace = s.hostPaths.workspace;
      await s.destroy();
      expect(existsSync(workspace)).toBe(false);
      expect(existsSync(path.dirname(workspace))).toBe(false);
    });

    it("stops a process that ignores SIGTERM, with everything it started", async () => {
      const s = await sandbox();
      const child = s.exec({ argv: ["/bin/bash", "-c", "trap '' TERM; (trap '' TERM; sleep 60) & echo ready; wait"], env: s.baseEnv, cwd: s.paths.workspace });
      const iterator = child.output[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(String(first.value)).toContain("ready");
      const started = Date.now();
      child.stop();
      const result = await child.wait();
      expect(result.stopped).toBe(true);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it("keeps env values (secrets) out of the host's process list", async () => {
      const s = await sandbox();
      const secret = `sekrit-${Date.now()}`;
      const child = s.exec({ argv: ["/bin/bash", "-c", "echo ready; exec sleep 20"], env: { ...s.baseEnv, TOKEN: secret }, cwd: s.paths.workspace });
      const iterator = child.output[Symbol.asyncIterator]();
      expect(String((await iterator.next()).value)).toContain("ready");
      // The exec is running (it printed); look at the host's process list a few times while it sleeps.
      let leaked = false;
      for (let look = 0; look < 5; look++) {
        leaked ||= hostCmdlines().some((c) => c.includes(secret));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.stop();
      await child.wait();
      expect(leaked).toBe(false);
    });
  });

  describe.skipIf(!available)(`${name} limits`, () => {
    it("kills at the wall time", async () => {
      const s = await sandbox({ limits: { wallTimeMs: 1000 } });
      expect(s.enforced.wallTime).toBe("timer");
      const started = Date.now();
      const r = await run(s, "echo begin; sleep 30; echo never");
      expect(r.timedOut).toBe(true);
      expect(r.text).not.toContain("never");
      expect(Date.now() - started).toBeLessThan(6000);
    });

    it("contains a fork bomb to the pids limit", async () => {
      const s = await sandbox({ limits: { pids: 32, wallTimeMs: 20_000 } });
      expect(s.enforced.pids).toBeDefined();
      const r = await run(s, `perl -e 'my $n = 0; for (1..300) { my $p = fork(); last unless defined $p; if ($p == 0) { sleep 30; exit 0 } $n++ } print "forked=$n\\n"'`);
      const forked = Number(/forked=(\d+)/.exec(r.text)?.[1] ?? "NaN");
      expect(forked).toBeLessThan(32);
      expect(forked).toBeGreaterThan(0);
    });

    it("stops a file from growing past the file-size limit", async () => {
      const s = await sandbox({ limits: { fileSizeBytes: 1024 * 1024 } });
      expect(s.enforced.fileSize).toBe("rlimit-fsize");
      const r = await run(s, "head -c 4000000 /dev/zero > big; echo rc=$?");
      expect(r.text).not.toContain("rc=0");
      expect(statSync(path.join(s.hostPaths.workspace, "big")).size).toBeLessThanOrEqual(1024 * 1024);
    });

    it("stops the workspace and /tmp from filling past the disk quota, and unmounts it on destroy", async () => {
      const s = await sandbox({ limits: { diskBytes: 32 * 1024 * 1024 } });
      // A root runner must get the quota; a non-root one cannot mount and says so.
      if (process.getuid?.() !== 0 || !existsSync("/dev/loop-control")) {
        console.warn("disk quota not checked: loop-mounting a quota volume needs root and /dev/loop-control");
        return;
      }
      expect(s.enforced.disk).toBe("loop-ext4");
      const r = await run(s, "head -c 100000000 /dev/zero > fill; echo rc=$?; head -c 100000000 /dev/zero > /tmp/fill; echo tmp-rc=$?; df -k . | tail -1");
      expect(r.text).toMatch(/No space left on device/);
      expect(r.text).not.toContain("rc=0");
      expect(statSync(path.join(s.hostPaths.workspace, "fill")).size).toBeLessThan(33 * 1024 * 1024);
      const root = path.dirname(path.dirname(s.hostPaths.workspace));
      expect(readFileSync("/proc/mounts", "utf8")).toContain(root);
      await s.destroy();
      expect(readFileSync("/proc/mounts", "utf8")).not.toContain(root);
      expect(existsSync(root)).toBe(false);
    });

    it("refuses memory past the memory limit", async () => {
      const s = await sandbox({ limits: { memoryBytes: 128 * 1024 * 1024 } });
      expect(s.enforced.memory).toBeDefined();
      const r = await run(s, `perl -e '$x = "a" x (1024 * 1024 * 1024); print "allocated\\n"'; echo rc=$?`);
      expect(r.text).not.toMatch(/^allocated$/m);
      expect(r.text).not.toContain("rc=0");
    });
  });
}
