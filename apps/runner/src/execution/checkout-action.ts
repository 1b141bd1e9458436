// Native `actions/checkout`: the runner fetches the exact commit into the workspace from the host side, as
// the sandbox's own uid. The fetch's credentials (a GitHub checkout token from the control plane, or the
// git source's) go to git through its environment for that command only: never argv, never `.git/config`.
// Inputs handled as actions/checkout does: `repository`, `ref`, `token`, `path`, `fetch-depth` (default 1; 0 = full
// history and tags), `persist-credentials` (default true: the job's GITHUB_TOKEN as the local config's
// `http.<server>/.extraheader`, removed by a post step that always runs), `submodules`, `lfs`.
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
import type { NativeAction, NativePost } from "./types";

export interface CheckoutSource {
  /** Any URL git fetches from (https://…, file://…). */
  repositoryUrl: string;
  sha: string;
  /** Sent as an `Authorization` header; passed through the environment, never argv or a config file. */
  authorization?: string;
  /** A GitHub-connected run: tokens come from the control plane per repository. */
  github?: GithubCheckout;
}

export interface GithubCheckout {
  /** The run's repository, `owner/name`. */
  repository: string;
  /** GITHUB_SERVER_URL (clone URLs and the persisted credential's scope). */
  serverUrl: string;
  /** A contents:read token for one repository of the run's installation (POST /api/runner/v1/checkout-token). */
  checkoutToken: (repository: string) => Promise<{ token: string; cloneUrl: string }>;
  /** The job's GITHUB_TOKEN: what `persist-credentials` keeps for a later `git push`; null: none. */
  jobToken: string | null;
  /** Revokes a checkout token once the fetch is done (best effort: GitHub expires it within the hour anyway). */
  revoke?: (token: string) => Promise<void>;
}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const basicAuth = (token: string) => `basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
const truthy = (value: string | undefined, fallback: boolean) => (value === undefined || value === "" ? fallback : value.toLowerCase() === "true");

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
function gitEnv(authorization: string | undefined, home: string, extra: [string, string][] = []): Record<string, string> {
  // Command-scope config wins over a repository's own: no hook or fsmonitor command of anyone else's ever runs.
  const config: [string, string][] = [["protocol.file.allow", "always"], ["init.defaultBranch", "main"], ["advice.detachedHead", "false"], ["core.hooksPath", "/dev/null"], ["core.fsmonitor", "false"], ...extra];
  if (authorization) config.push(["http.extraHeader", `Authorization: ${authorization}`]);
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

/** Where to fetch from and with which credential, for the repository the step names. */
async function origin(source: CheckoutSource, inputs: Record<string, string>): Promise<{ url: string; authorization?: string; secrets: string[]; sha?: string; minted?: string } | string> {
  const github = source.github;
  const wanted = inputs.repository && inputs.repository !== "" ? inputs.repository : (github?.repository ?? "");
  if (!github) {
    if (inputs.repository && inputs.repository !== "") return `repository ${JSON.stringify(inputs.repository)} cannot be checked out: this run's repository is not on GitHub`;
    return { url: source.repositoryUrl, ...(source.authorization ? { authorization: source.authorization } : {}), secrets: [], sha: source.sha };
  }
  if (!REPOSITORY.test(wanted)) return `repository ${JSON.stringify(wanted)} is not owner/name`;
  const own = wanted.toLowerCase() === github.repository.toLowerCase();
  const given = inputs.token && inputs.token !== "" ? inputs.token : undefined;
  if (given) return { url: `${github.serverUrl}/${wanted}.git`, authorization: basicAuth(given), secrets: [given, basicAuth(given)], ...(own ? { sha: source.sha } : {}) };
  try {
    const granted = await github.checkoutToken(wanted);
    return { url: granted.cloneUrl, authorization: basicAuth(granted.token), secrets: [granted.token, basicAuth(granted.token)], minted: granted.token, ...(own ? { sha: source.sha } : {}) };
  } catch (error) {
    return `no token to fetch ${wanted}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Replaces each secret (and its base64 form inside a basic credential) with ***. */
const maskWith = (secrets: string[]) => (text: string) => secrets.filter((secret) => secret.length >= 4).reduce((out, secret) => out.split(secret).join("***"), text);

export function checkoutAction(source: CheckoutSource): NativeAction {
  return async ({ with: inputs, sandbox, write: rawWrite, signal }): ReturnType<NativeAction> => {
    const named = inputs.path ?? ".";
    let relative: string;
    try {
      relative = components(named).join("/");
    } catch (error) {
      if (error instanceof UnsafePathError) return refused(`path ${error.message}; it must be a path inside the workspace`);
      throw error;
    }
    const depth = inputs["fetch-depth"] && inputs["fetch-depth"] !== "" ? inputs["fetch-depth"] : "1";
    if (!/^\d{1,9}$/.test(depth)) return { ok: false, outputs: {}, error: `fetch-depth must be a number, not ${JSON.stringify(depth)}` };
    const submodules = (inputs.submodules ?? "false").toLowerCase();
    if (!["", "false", "true", "recursive"].includes(submodules)) return refused(`submodules must be true, false or recursive, not ${JSON.stringify(inputs.submodules)}`);
    const lfs = truthy(inputs.lfs, false);
    const persist = truthy(inputs["persist-credentials"], true);
    const given = inputs.ref && inputs.ref !== "" ? inputs.ref : undefined;
    const badRef = given === undefined ? undefined : refProblem(given);
    if (badRef) return refused(`ref ${JSON.stringify(given)} is not a valid git ref: it ${badRef}; give a branch, tag, refs/… name or a full commit sha`);
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
      // The credential last: nothing above can fail with a token minted and not revoked.
      const from0 = await origin(source, inputs);
      if (typeof from0 === "string") return refused(from0);
      /** Checkout tokens minted for submodules, revoked with the main one. */
      const minted: string[] = [];
      const mask = maskWith(from0.secrets);
      const write = (text: string) => rawWrite(mask(text));
      // Another repository without a `ref:` checks out its default branch, as actions/checkout does.
      const ref = given ?? from0.sha ?? "HEAD";
      // A `.git` the job left (its config and hooks are the job's: git would run them on the host) goes first.
      removeEntry(dir, ".git");
      // Outside the sandbox's directories: nothing the job controls.
      const home = mkdtempSync(path.join(os.tmpdir(), "gantry-git-"));
      chmodSync(home, 0o755);
      try {
        // git's cwd is the directory opened above, whatever the path's components are by now.
        const run: GitRun = { cwd: at(dir), env: gitEnv(from0.authorization, home), ...(owner ? { owner } : {}), signal, write };
        await write(`Fetching ${ref} (depth ${depth === "0" ? "full" : depth}) into ${path.posix.join(sandbox.paths.workspace, relative)}\n`);
        const depthArgs = depth === "0" ? [] : [`--depth=${depth}`];
        let from = { url: from0.url, ref };
        if (owner && isLocal(from0.url)) {
          // The sandbox's uid may not read a repository on this host (a 0700 directory on the way): root copies
          // the commit into a readable mirror beside git's home first, which nothing of the job can touch.
          const mirror = path.join(home, "mirror.git");
          const asRunner: GitRun = { ...run, cwd: home, owner: undefined };
          for (const args of [["init", "-q", "--bare", "--end-of-options", mirror], ["-C", mirror, "fetch", "--no-tags", "--quiet", ...depthArgs, "--end-of-options", from0.url, `+${ref}:refs/gantry/checkout`]]) {
            const { code } = await git(args, asRunner);
            if (code !== 0) return { ok: false, outputs: {}, error: `git ${args.includes("fetch") ? "fetch" : "init"} failed with exit code ${code}` };
          }
          from = { url: `file://${mirror}`, ref: "refs/gantry/checkout" };
        }
        // Full history (fetch-depth 0) brings the tags too, as actions/checkout does.
        const tags = depth === "0" && !isLocal(from.url) ? ["+refs/tags/*:refs/tags/*"] : [];
        const fetch = ["fetch", "--no-tags", "--quiet", ...depthArgs, "--end-of-options", from.url, `+${from.ref}:refs/gantry/checkout`, ...tags];
        // checkout and rev-parse take only constants here (git 2.39's checkout reads --end-of-options as a pathspec).
        for (const args of [["init", "-q", "--end-of-options", "."], fetch, ["checkout", "-q", "--force", "--detach", "refs/gantry/checkout"], ["update-ref", "-d", "refs/gantry/checkout"]]) {
          const { code } = await git(args, run);
          if (code !== 0) return { ok: false, outputs: {}, error: `git ${args[0]} failed with exit code ${code}` };
        }
        const head = await git(["rev-parse", "HEAD"], run, true);
        const github = source.github;
        if (github && !isLocal(from0.url)) {
          // `origin` as actions/checkout leaves it (no credential in the URL), so `git push origin` works.
          const { code } = await git(["remote", "add", "--end-of-options", "origin", from0.url], run);
          if (code !== 0) return { ok: false, outputs: {}, error: `git remote add failed with exit code ${code}` };
        }
        if (lfs) {
          const lfsRun = { ...run, write: async () => undefined };
          if ((await git(["lfs", "version"], lfsRun)).code !== 0) return refused("lfs: true needs git-lfs on the runner's host, and it is not installed there");
          if (!github || isLocal(from0.url)) return refused("lfs: true is supported for GitHub-connected repositories");
          // `origin` was set above to a constant-shaped URL; the credential is in the environment as for the fetch.
          const { code } = await git(["lfs", "pull", "origin"], run);
          if (code !== 0) return { ok: false, outputs: {}, error: `git lfs pull failed with exit code ${code}` };
        }
        if (submodules === "true" || submodules === "recursive") {
          const problem = await fetchSubmodules(run, source, submodules === "recursive", home, from0.secrets, write, minted);
          if (problem) return refused(problem);
        }
        const outputs = { commit: head.stdout.trim(), ref };
        if (!github || !persist || !github.jobToken) return { ok: true, outputs };
        // persist-credentials: the job's GITHUB_TOKEN (never the checkout token) for later git commands of the job.
        const key = `http.${new URL(github.serverUrl).origin}/.extraheader`;
        const persisted = await git(["config", "--local", "--end-of-options", key, `AUTHORIZATION: ${basicAuth(github.jobToken)}`], { ...run, env: gitEnv(undefined, home) });
        if (persisted.code !== 0) return { ok: false, outputs: {}, error: `git config failed with exit code ${persisted.code}` };
        return { ok: true, outputs, post: removeCredentials(sandbox.hostPaths.workspace, relative, key, owner) };
      } finally {
        rmSync(home, { recursive: true, force: true });
        // The checkout token was for this fetch only.
        const revoke = source.github?.revoke;
        if (revoke) for (const token of [from0.minted, ...minted].filter((each): each is string => each !== undefined)) await revoke(token).catch(() => undefined);
      }
    });
  };
}

/**
 * The post step of persist-credentials: the persisted header leaves the local config at the end of the job,
 * whatever happened. The directory is opened again through safe-fs (the job may have moved things) and git runs
 * as the sandbox's uid with hooks off, on a repository that is by now the job's.
 */
function removeCredentials(workspace: string, relative: string, key: string, owner: ReturnType<typeof ownerToGive>): NativePost {
  const post: NativePost = async ({ write }) => {
    let target: number;
    try {
      target = withFd(openRoot(workspace), (root) => openDir(root, relative));
    } catch {
      return;
    }
    await withFdAsync(target, async (dir) => {
      const home = mkdtempSync(path.join(os.tmpdir(), "gantry-git-"));
      chmodSync(home, 0o755);
      try {
        const { code } = await git(["config", "--local", "--unset-all", "--end-of-options", key], { cwd: at(dir), env: gitEnv(undefined, home), ...(owner ? { owner } : {}), signal: new AbortController().signal, write: async () => undefined });
        // 5: the key was not there any more (the job removed it).
        if (code !== 0 && code !== 5) await write(`checkout: could not remove the persisted credential (git config exit ${code})\n`);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  };
  post.always = true;
  return post;
}

/**
 * submodules: true|recursive. Each submodule's URL (from the job's .gitmodules) must be a repository on the run's
 * GitHub server — absolute or relative — and gets a checkout token of its own; anything else (another host, file://,
 * ext::) is refused, since git would otherwise fetch from wherever the job's file points.
 */
async function fetchSubmodules(run: GitRun, source: CheckoutSource, recursive: boolean, home: string, secrets: string[], write: (text: string) => Promise<void>, minted: string[]): Promise<string | undefined> {
  const github = source.github;
  if (!github) return "submodules are fetched for GitHub-connected repositories only";
  const listed = await git(["config", "--file", ".gitmodules", "--get-regexp", "--end-of-options", "^submodule\\..*\\.url$"], { ...run, write: async () => undefined }, true);
  if (listed.code !== 0) return undefined;
  const server = new URL(github.serverUrl);
  const extra: [string, string][] = [["protocol.allow", "never"], [`protocol.${server.protocol.replace(":", "")}.allow`, "always"]];
  for (const line of listed.stdout.split("\n").filter(Boolean)) {
    const [, url = ""] = /^\S+\s+(.*)$/.exec(line) ?? [];
    const base = new URL(`${github.serverUrl}/${github.repository}.git`);
    let resolved: URL;
    try {
      resolved = url.startsWith("../") || url.startsWith("./") ? new URL(url.replace(/^\.\//, "../"), `${base.href}/`) : new URL(url);
    } catch {
      return `submodule URL ${JSON.stringify(url)} is not a URL on ${server.origin}`;
    }
    const repository = /^\/([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(resolved.pathname)?.[1];
    if (resolved.origin !== server.origin || !repository) return `submodule URL ${JSON.stringify(url)} is not a repository on ${server.origin}: only those are fetched`;
    let granted: { token: string; cloneUrl: string };
    try {
      granted = await github.checkoutToken(repository);
    } catch (error) {
      return `no token for submodule ${repository}: ${error instanceof Error ? error.message : String(error)}`;
    }
    secrets.push(granted.token, basicAuth(granted.token));
    minted.push(granted.token);
    extra.push([`http.${resolved.origin}${resolved.pathname}.extraHeader`, `Authorization: ${basicAuth(granted.token)}`]);
  }
  const env = gitEnv(undefined, home, extra);
  const { code } = await git(["submodule", "update", "--init", "--depth=1", ...(recursive ? ["--recursive"] : [])], { ...run, env, write });
  return code === 0 ? undefined : `git submodule update failed with exit code ${code}`;
}
