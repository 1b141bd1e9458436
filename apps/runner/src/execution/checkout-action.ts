// Native `actions/checkout`: the runner fetches the exact commit into the workspace from the host side, as
// the sandbox's own uid, so the job token never enters the sandbox and never lands in `.git/config`.
// Inputs handled: `ref`, `fetch-depth` (0 = full history), `path`.
import { spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
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
  const config: [string, string][] = [["protocol.file.allow", "always"], ["init.defaultBranch", "main"], ["advice.detachedHead", "false"]];
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

export function checkoutAction(source: CheckoutSource): NativeAction {
  return async ({ with: inputs, sandbox, write, signal }): ReturnType<NativeAction> => {
    const workspace = sandbox.hostPaths.workspace;
    const target = path.resolve(workspace, inputs.path ?? ".");
    if (target !== workspace && !target.startsWith(`${workspace}/`)) return { ok: false, outputs: {}, error: `checkout path ${JSON.stringify(inputs.path)} is outside the workspace` };
    const depth = inputs["fetch-depth"] ?? "1";
    if (!/^\d+$/.test(depth)) return { ok: false, outputs: {}, error: `fetch-depth must be a number, not ${JSON.stringify(depth)}` };
    const ref = inputs.ref && inputs.ref !== "" ? inputs.ref : source.sha;
    const stat = statSync(workspace);
    // As root, git runs as the sandbox's uid: the checked-out files belong to the job, not to root.
    const owner = process.getuid?.() === 0 ? { uid: stat.uid, gid: stat.gid } : undefined;
    mkdirSync(target, { recursive: true });
    if (owner) for (let dir = target; dir !== workspace; dir = path.dirname(dir)) chownSync(dir, owner.uid, owner.gid);
    // Outside the sandbox's directories: nothing the job controls.
    const home = mkdtempSync(path.join(os.tmpdir(), "gantry-git-"));
    chmodSync(home, 0o755);
    try {
      const run: GitRun = { cwd: target, env: gitEnv(source, home), ...(owner ? { owner } : {}), signal, write };
      await write(`Fetching ${ref} (depth ${depth === "0" ? "full" : depth}) into ${path.posix.join(sandbox.paths.workspace, path.relative(workspace, target))}\n`);
      const depthArgs = depth === "0" ? [] : [`--depth=${depth}`];
      let from = { url: source.repositoryUrl, ref };
      if (owner && isLocal(source.repositoryUrl)) {
        // The sandbox's uid may not read a repository on this host (a 0700 directory on the way): root copies
        // the commit into a readable mirror beside git's home first, which nothing of the job can touch.
        const mirror = path.join(home, "mirror.git");
        const asRunner: GitRun = { ...run, cwd: home, owner: undefined };
        for (const args of [["init", "-q", "--bare", mirror], ["-C", mirror, "fetch", "--no-tags", "--quiet", ...depthArgs, source.repositoryUrl, `+${ref}:refs/gantry/checkout`]]) {
          const { code } = await git(args, asRunner);
          if (code !== 0) return { ok: false, outputs: {}, error: `git ${args.includes("fetch") ? "fetch" : "init"} failed with exit code ${code}` };
        }
        from = { url: `file://${mirror}`, ref: "refs/gantry/checkout" };
      }
      const fetch = ["fetch", "--no-tags", "--quiet", ...depthArgs, from.url, from.ref];
      for (const args of [["init", "-q", "."], fetch, ["checkout", "-q", "--force", "--detach", "FETCH_HEAD"]]) {
        const { code } = await git(args, run);
        if (code !== 0) return { ok: false, outputs: {}, error: `git ${args[0]} failed with exit code ${code}` };
      }
      const head = await git(["rev-parse", "HEAD"], run, true);
      return { ok: true, outputs: { commit: head.stdout.trim(), ref } };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
}
