// Native `actions/checkout`: the runner fetches the exact commit into the workspace from the host side, as
// the sandbox's own uid, so the job token never enters the sandbox and never lands in `.git/config`.
// Inputs handled: `ref`, `fetch-depth` (0 = full history), `path`.
// Everything the job shaped is made safe first (DESIGN.md invariant 10): `path` is opened through safe-fs (no link
// followed, created and chowned by descriptor) and git runs in that descriptor; a `.git` the job left there (hooks,
// fsmonitor, a gitdir link) is removed before `git init`, and hooks and fsmonitor are off at command scope anyway;
// `ref` must be a ref (git-ref.ts) and comes after `--end-of-options`.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { refProblem } from "./git-ref";
import { at, components, openDir, openRoot, ownerToGive, removeEntry, UnsafePathError, withFd, withFdAsync } from "./safe-fs";
import type { NativeAction } from "./types";

export interface CheckoutSource {
  /** Any URL git fetches from (https://…, file://…). */
  repositoryUrl: string;
  sha: string;
  /** Sent as an `Authorization` header; passed through the environment, never argv or a config file. */
  authorization?: string;
}

interface GitRun {
  cwd: string;
  env: Record<string, string>;
  owner?: { uid: number; gid: number };
  signal: AbortSignal;
  write: (text: string) => Promise<void>;
}

function git(args: string[], run: GitRun, capture = false): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn("git", args, { cwd: run.cwd, env: run.env, stdio: ["ignore", "pipe", "pipe"], signal: run.signal, ...(run.owner ?? {}) });
    const writes: Promise<void>[] = [];
    let stdout = "";
    child.stdout.on("data", (b: Buffer) => (capture ? (stdout += b.toString()) : writes.push(run.write(b.toString()))));
    child.stderr.on("data", (b: Buffer) => writes.push(run.write(b.toString())));
    child.on("error", () => resolve({ code: 128, stdout }));
    child.on("close", (code) => void Promise.all(writes).then(() => resolve({ code: code ?? 128, stdout })));
  });
}

/** GIT_CONFIG_* for the fetch, plus a private global config (git drops GIT_CONFIG_* for a local remote's upload-pack). */
function gitEnv(source: CheckoutSource, home: string): Record<string, string> {
  // Command-scope config wins over a repository's own: no hook or fsmonitor command of anyone else's ever runs.
  const config: [string, string][] = [["protocol.file.allow", "always"], ["init.defaultBranch", "main"], ["advice.detachedHead", "false"], ["core.hooksPath", "/dev/null"], ["core.fsmonitor", "false"]];
  if (source.authorization) config.push(["http.extraHeader", `Authorization: ${source.authorization}`]);
  const globalConfig = path.join(home, "gitconfig");
  // The source of a file:// fetch belongs to another user: git's ownership check needs safe.directory.
  writeFileSync(globalConfig, "[safe]\n\tdirectory = *\n", { mode: 0o644 });
  const env: Record<string, string> = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: home, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: globalConfig, GIT_CONFIG_COUNT: String(config.length) };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/** A path or file:// URL on this host (as the up-command's demo repository), not a remote. */
const isLocal = (url: string) => url.startsWith("/") || url.startsWith("file://");

const refused = (error: string) => ({ ok: false, outputs: {}, error: `checkout: ${error}` });

export function checkoutAction(source: CheckoutSource): NativeAction {
  return async ({ with: inputs, sandbox, write, signal }): ReturnType<NativeAction> => {
    const named = inputs.path ?? ".";
    let relative: string;
    try {
      relative = components(named).join("/");
    } catch (error) {
      if (error instanceof UnsafePathError) return refused(`path ${error.message}; it must be a path inside the workspace`);
      throw error;
    }
    const depth = inputs["fetch-depth"] ?? "1";
    if (!/^\d{1,9}$/.test(depth)) return { ok: false, outputs: {}, error: `fetch-depth must be a number, not ${JSON.stringify(depth)}` };
    const ref = inputs.ref && inputs.ref !== "" ? inputs.ref : source.sha;
    const badRef = refProblem(ref);
    if (badRef) return refused(`ref ${JSON.stringify(ref)} is not a valid git ref: it ${badRef}; give a branch, tag, refs/… name or a full commit sha`);
    let target: number;
    // As root, git runs as the sandbox's uid: the checked-out files belong to the job, not to root.
    let owner: ReturnType<typeof ownerToGive>;
    try {
      target = withFd(openRoot(sandbox.hostPaths.workspace), (root) => {
        owner = ownerToGive(root);
        return openDir(root, relative, { create: { mode: 0o755, ...(owner ? { owner } : {}) } });
      });
    } catch (error) {
      if (error instanceof UnsafePathError) return refused(`path ${error.message}`);
      throw error;
    }
    return withFdAsync(target, async (dir): ReturnType<NativeAction> => {
      // A `.git` the job left (its config and hooks are the job's: git would run them on the host) goes first.
      removeEntry(dir, ".git");
      // Outside the sandbox's directories: nothing the job controls.
      const home = mkdtempSync(path.join(os.tmpdir(), "gantry-git-"));
      chmodSync(home, 0o755);
      try {
        // git's cwd is the directory opened above, whatever the path's components are by now.
        const run: GitRun = { cwd: at(dir), env: gitEnv(source, home), ...(owner ? { owner } : {}), signal, write };
        await write(`Fetching ${ref} (depth ${depth === "0" ? "full" : depth}) into ${path.posix.join(sandbox.paths.workspace, relative)}\n`);
        const depthArgs = depth === "0" ? [] : [`--depth=${depth}`];
        let from = { url: source.repositoryUrl, ref };
        if (owner && isLocal(source.repositoryUrl)) {
          // The sandbox's uid may not read a repository on this host (a 0700 directory on the way): root copies
          // the commit into a readable mirror beside git's home first, which nothing of the job can touch.
          const mirror = path.join(home, "mirror.git");
          const asRunner: GitRun = { ...run, cwd: home, owner: undefined };
          for (const args of [["init", "-q", "--bare", "--end-of-options", mirror], ["-C", mirror, "fetch", "--no-tags", "--quiet", ...depthArgs, "--end-of-options", source.repositoryUrl, `+${ref}:refs/gantry/checkout`]]) {
            const { code } = await git(args, asRunner);
            if (code !== 0) return { ok: false, outputs: {}, error: `git ${args.includes("fetch") ? "fetch" : "init"} failed with exit code ${code}` };
          }
          from = { url: `file://${mirror}`, ref: "refs/gantry/checkout" };
        }
        const fetch = ["fetch", "--no-tags", "--quiet", ...depthArgs, "--end-of-options", from.url, from.ref];
        // checkout and rev-parse take only constants here (git 2.39's checkout reads --end-of-options as a pathspec).
        for (const args of [["init", "-q", "--end-of-options", "."], fetch, ["checkout", "-q", "--force", "--detach", "FETCH_HEAD"]]) {
          const { code } = await git(args, run);
          if (code !== 0) return { ok: false, outputs: {}, error: `git ${args[0]} failed with exit code ${code}` };
        }
        const head = await git(["rev-parse", "HEAD"], run, true);
        return { ok: true, outputs: { commit: head.stdout.trim(), ref } };
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  };
}
