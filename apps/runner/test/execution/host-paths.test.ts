// Invariant 10 (DESIGN.md): the runner's host side never acts through a path or argument a job shaped. Each test
// has a job in a real bwrap sandbox plant a link (or an argument) and checks that the host is unchanged and
// that the step failed, naming what it refused.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ObjectGrant } from "@gantry/runner-protocol";
import * as tar from "tar";
import { afterEach, describe, expect, it } from "vitest";
import { checkoutAction } from "../../src/execution/checkout-action";
import { executeJob } from "../../src/execution/job-executor";
import { objectActions, type ObjectTransfer } from "../../src/execution/object-actions";
import type { JobResult, NativeAction } from "../../src/execution/types";
import { BwrapProvider } from "../../src/sandbox/bwrap-provider";
import type { Sandbox } from "../../src/sandbox/types";
import { collectingLog, job, step } from "./helpers";

const provider = new BwrapProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`host path tests skipped: ${probe.detail}`);

const SECRET = "host-only-content\n";
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0)) clean();
});

function tempDir(prefix: string, mode: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, mode);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A host directory outside every sandbox, with a readable file the job must never see or change. */
function hostTarget() {
  const dir = tempDir("gantry-host-target-", 0o755);
  const file = path.join(dir, "secret.txt");
  writeFileSync(file, SECRET, { mode: 0o644 });
  const snapshot = () => ({ entries: readdirSync(dir), content: readFileSync(file, "utf8"), dirOwner: statSync(dir).uid, fileOwner: statSync(file).uid, fileMode: statSync(file).mode });
  const before = snapshot();
  return { dir, file, expectUnchanged: () => expect(snapshot()).toEqual(before) };
}

/** A world-writable host directory: a command the job smuggled onto the host would leave a file here. */
const markerDir = () => tempDir("gantry-marker-", 0o777);

function gitRepo(): { repo: string; sha: string } {
  const repo = tempDir("gantry-repo-", 0o755);
  const sh = (cmd: string) => execFileSync("/bin/sh", ["-c", cmd], { cwd: repo, env: { PATH: process.env.PATH ?? "", HOME: repo, GIT_CONFIG_NOSYSTEM: "1" } }).toString().trim();
  sh("git init -q -b main . && git config user.email t@e && git config user.name t && echo one > a.txt && git add a.txt && git commit -qm one");
  return { repo, sha: sh("git rev-parse HEAD") };
}

async function run(steps: ReturnType<typeof step>[], nativeActions: (sandbox: Sandbox) => Record<string, NativeAction> = () => ({})): Promise<{ result: JobResult; text: string }> {
  const sandbox = await provider.prepare({ untrusted: true, network: "none" });
  const { log, text } = collectingLog();
  try {
    const result = await executeJob({ job: job(steps), sandbox, log, contexts: { github: {} }, nativeActions: nativeActions(sandbox) });
    await log.close();
    return { result, text: text() };
  } finally {
    await sandbox.destroy();
  }
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** An ObjectTransfer in memory: keeps what was uploaded, serves `downloads` (tar.gz files) in turn to downloads and cache restores. */
function memoryTransfer(...downloads: string[]) {
  const dir = tempDir("gantry-objects-", 0o700);
  const uploaded: string[] = [];
  const grant: ObjectGrant = { url: "memory://object", expiresAt: Date.now() + 60_000 };
  let current: string | undefined;
  const next = () => (current = downloads.shift());
  const transfer: ObjectTransfer = {
    artifact: async (body) => {
      if (body.op === "upload") return { grant, sha256: body.sha256, sizeBytes: body.sizeBytes };
      const download = next();
      return download ? { grant, sha256: sha256(download), sizeBytes: statSync(download).size } : { grant: null, sha256: "0".repeat(64), sizeBytes: 0 };
    },
    cache: async (body) => {
      if (body.op === "save") return { entry: null, grant };
      const download = next();
      return download ? { entry: { key: body.key, scope: "refs/heads/main", sha256: sha256(download), sizeBytes: statSync(download).size }, grant } : { entry: null, grant: null };
    },
    put: async (_grant, file) => {
      const copy = path.join(dir, `upload-${uploaded.length}.tar.gz`);
      copyFileSync(file, copy);
      uploaded.push(copy);
    },
    get: async (_grant, file) => {
      if (!current) throw new Error("nothing to download");
      copyFileSync(current, file);
    },
  };
  /** Every file in every uploaded archive, by name, with its content. */
  const contents = async () => {
    const files: Record<string, string> = {};
    for (const archive of uploaded) {
      await tar.t({
        file: archive,
        onReadEntry: (entry) => {
          let data = "";
          entry.on("data", (chunk: Buffer) => (data += chunk.toString()));
          entry.on("end", () => {
            if (entry.type !== "Directory") files[entry.path.replace(/^\.\//, "")] = data;
          });
        },
      });
    }
    return files;
  };
  return { transfer, uploaded, contents };
}

/** A tar.gz made with node-tar from `files` (name → content) plus `links` (name → target). */
async function archiveOf(files: Record<string, string>, links: Record<string, string> = {}): Promise<string> {
  const dir = tempDir("gantry-src-", 0o700);
  const entries: string[] = [];
  for (const [name, target] of Object.entries(links)) {
    execFileSync("ln", ["-s", target, path.join(dir, name)]);
    entries.push(name);
  }
  for (const [name, content] of Object.entries(files)) {
    execFileSync("mkdir", ["-p", path.dirname(path.join(dir, name))]);
    writeFileSync(path.join(dir, name), content);
    entries.push(name);
  }
  const file = path.join(tempDir("gantry-archive-", 0o700), "a.tar.gz");
  await tar.c({ gzip: true, cwd: dir, file, portable: true, follow: false }, entries);
  return file;
}

const RUNNER_DIR = '"$(dirname "$GITHUB_OUTPUT")"';

describe.skipIf(!probe.available)("the runner never writes, chowns or reads through a link a job planted", () => {
  it("replaces a link planted at the step script's path instead of writing and chowning its target", async () => {
    const host = hostTarget();
    const { result, text } = await run([step(0, { run: `ln -s ${host.file} ${RUNNER_DIR}/step_1.sh` }), step(1, { run: "echo the-real-script" })]);
    host.expectUnchanged();
    expect(result.steps[1]?.outcome).toBe("success");
    expect(text).toContain("\nthe-real-script\n");
  });

  it("replaces a link planted at a file-command path instead of writing or chowning its target", async () => {
    const host = hostTarget();
    const { result } = await run([step(0, { run: `ln -s ${host.file} ${RUNNER_DIR}/output_1; ln -s ${host.file} ${RUNNER_DIR}/env_1` }), step(1, { run: 'echo "x=1" >> "$GITHUB_OUTPUT"', id: "b" })]);
    host.expectUnchanged();
    expect(result.steps[1]).toMatchObject({ outcome: "success", outputs: { x: "1" } });
  });
});

describe.skipIf(!probe.available)("expressions read the workspace without following what the job planted", () => {
  it("hashFiles skips a link to a host file, a link to a host directory and a FIFO, and does not hang", async () => {
    const host = hostTarget();
    const { result, text } = await run([
      step(0, { run: `ln -s ${host.file} leak.txt && mkfifo fifo.txt && mkdir d && ln -s ${host.dir} d/sub && echo mine > own.txt` }),
      step(1, { run: "echo \"h=${{ hashFiles('**/*.txt') }}\"" }),
    ]);
    const own = createHash("sha256").update(createHash("sha256").update("mine\n").digest()).digest("hex");
    expect(result.steps[1]?.outcome).toBe("success");
    expect(text).toContain(`\nh=${own}\n`);
  });
});

describe.skipIf(!probe.available)("the runner passes no value a job shaped as extra arguments", () => {
  it("fails a step whose env holds a NUL byte (it would split bwrap's argument list)", async () => {
    const host = hostTarget();
    const { result, text } = await run([
      step(0, { run: `printf 'SPLIT=a\\000--ro-bind\\000${host.dir}\\000/tmp\\n' >> "$GITHUB_ENV"` }),
      step(1, { run: "cat /tmp/secret.txt || true" }),
    ]);
    expect(text).not.toContain(SECRET.trim());
    expect(result.steps[1]).toMatchObject({ outcome: "failure", error: expect.stringMatching(/SPLIT.*NUL/) });
  });

  it("bwrap itself refuses an exec whose env would split its argument list", async () => {
    const sandbox = await provider.prepare({ untrusted: true, network: "none" });
    try {
      expect(() => sandbox.exec({ argv: ["true"], env: { X: "a\0--ro-bind\0/\0/tmp" }, cwd: sandbox.paths.workspace })).toThrow(/NUL byte/);
    } finally {
      await sandbox.destroy();
    }
  });

  it("fails a step whose working-directory holds a NUL byte", async () => {
    const { result } = await run([step(0, { run: "pwd", workingDirectory: "a\0--ro-bind\0/\0/tmp" })]);
    expect(result.steps[0]).toMatchObject({ outcome: "failure", error: expect.stringMatching(/working-directory.*NUL/) });
  });
});

describe.skipIf(!probe.available)("native actions/checkout on paths and arguments the job controls", () => {
  it("refuses a `path:` through a link instead of creating and chowning directories outside the workspace", { timeout: 30_000 }, async () => {
    const host = hostTarget();
    const { repo, sha } = gitRepo();
    const { result } = await run([step(0, { run: `ln -s ${host.dir} link` }), step(1, { uses: "actions/checkout@v4", with: { path: "link/sub" } })], () => ({ "actions/checkout": checkoutAction({ repositoryUrl: `file://${repo}`, sha }) }));
    host.expectUnchanged();
    expect(result.steps[1]).toMatchObject({ outcome: "failure", error: expect.stringContaining('"link"') });
  });

  it("never runs hooks or config of a .git the job planted before the checkout", { timeout: 30_000 }, async () => {
    const marker = markerDir();
    const { repo, sha } = gitRepo();
    const hook = `#!/bin/sh\ntouch ${marker}/hook-ran\n`;
    const { result, text } = await run(
      [
        step(0, { run: `mkdir -p .git/hooks && printf '${hook.replaceAll("\n", "\\n")}' > .git/hooks/post-checkout && chmod +x .git/hooks/post-checkout && git init -q . && git config core.fsmonitor 'touch ${marker}/fsmonitor-ran; false'` }),
        step(1, { uses: "actions/checkout@v4" }),
        step(2, { run: "cat a.txt" }),
      ],
      () => ({ "actions/checkout": checkoutAction({ repositoryUrl: `file://${repo}`, sha }) }),
    );
    expect(readdirSync(marker)).toEqual([]);
    expect(result.steps.map((s) => s.outcome), text).toEqual(["success", "success", "success"]);
  });

  it("refuses a `ref:` that git would take as an option (--upload-pack runs a host command)", { timeout: 30_000 }, async () => {
    const marker = markerDir();
    const { repo, sha } = gitRepo();
    const { result } = await run([step(0, { uses: "actions/checkout@v4", with: { ref: `--upload-pack=touch ${marker}/pwned;git-upload-pack` } })], (sandbox) => ({
      // A local path git reaches without the runner's root-side mirror, as a non-root runner fetches every remote.
      "actions/checkout": checkoutAction({ repositoryUrl: path.relative(sandbox.hostPaths.workspace, repo), sha }),
    }));
    expect(readdirSync(marker)).toEqual([]);
    expect(result.steps[0]).toMatchObject({ outcome: "failure", error: expect.stringMatching(/^checkout: ref "--upload-pack/) });
  });
});

describe.skipIf(!probe.available)("artifacts and caches on paths the job controls", () => {
  it("upload-artifact refuses a path through a link in the middle instead of archiving a host file", async () => {
    const host = hostTarget();
    const objects = memoryTransfer();
    const { result } = await run([step(0, { run: `ln -s ${host.dir} r && echo mine > x.txt` }), step(1, { uses: "actions/upload-artifact@v4", with: { name: "a", path: "r/secret.txt\nx.txt" } })], () => objectActions(objects.transfer));
    expect(Object.values(await objects.contents())).not.toContain(SECRET);
    expect(result.steps[1]).toMatchObject({ outcome: "failure", error: expect.stringContaining('"r"') });
  });

  it("upload-artifact stores a link the job made as a link, never its target", async () => {
    const host = hostTarget();
    const objects = memoryTransfer();
    const { result } = await run([step(0, { run: `mkdir out && ln -s ${host.file} out/leak && echo mine > out/x.txt` }), step(1, { uses: "actions/upload-artifact@v4", with: { name: "a", path: "out" } })], () => objectActions(objects.transfer));
    expect(result.steps[1]?.outcome).toBe("success");
    expect(await objects.contents()).toEqual({ leak: "", "x.txt": "mine\n" });
  });

  it("download-artifact creates nothing outside the workspace when its path goes through a link", async () => {
    const host = hostTarget();
    const objects = memoryTransfer(await archiveOf({ "evil.txt": "planted\n" }));
    const { result } = await run([step(0, { run: `ln -s ${host.dir} link` }), step(1, { uses: "actions/download-artifact@v4", with: { name: "a", path: "link/sub" } })], () => objectActions(objects.transfer));
    host.expectUnchanged();
    expect(result.steps[1]).toMatchObject({ outcome: "failure", error: expect.stringContaining('"link"') });
  });

  it("cache save archives nothing through a link in a cached path", async () => {
    const host = hostTarget();
    const objects = memoryTransfer();
    const { text } = await run([step(0, { run: `ln -s ${host.dir} r` }), step(1, { uses: "actions/cache@v4", with: { key: "k", path: "r/secret.txt" } })], () => objectActions(objects.transfer));
    expect(Object.values(await objects.contents())).not.toContain(SECRET);
    expect(text).toMatch(/##\[warning\]Failed to save the cache: .*"r"/);
  });

  it("cache restore writes nothing through a link planted in the workspace or carried in the archive", async () => {
    const host = hostTarget();
    const objects = memoryTransfer(await archiveOf({ "deps/evil.txt": "planted\n" }));
    await run([step(0, { run: `ln -s ${host.dir} deps` }), step(1, { uses: "actions/cache@v4", with: { key: "k", path: "deps" } })], () => objectActions(objects.transfer));
    host.expectUnchanged();
    // A first cache carries the link, a second one a file under it.
    const carried = memoryTransfer(await archiveOf({}, { deps: host.dir }), await archiveOf({ "deps/evil.txt": "planted\n" }));
    await run([step(0, { uses: "actions/cache@v4", with: { key: "k", path: "deps" } }), step(1, { uses: "actions/cache@v4", with: { key: "k2", path: "deps" } })], () => objectActions(carried.transfer));
    host.expectUnchanged();
    expect(existsSync(path.join(host.dir, "evil.txt"))).toBe(false);
  });
});
