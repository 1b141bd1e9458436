// The native checkout of a GitHub-connected run against the fake GitHub's smart HTTP (git http-backend over a bare
// repository), with real git and real installation tokens: the fetch's token never lands in .git/config or the
// log; persist-credentials keeps the job's GITHUB_TOKEN only until the job ends; a contents:write token pushes and
// a read token cannot.
import { execFileSync, spawnSync } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InstallationTokens, revokeInstallationToken } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutAction } from "../../src/execution/checkout-action";
import { executeJob } from "../../src/execution/job-executor";
import type { JobResult } from "../../src/execution/types";
import { ProcessProvider } from "../../src/sandbox/process-provider";
import { collectingLog, job, step } from "./helpers";

const provider = new ProcessProvider({ devMode: true });
let fake: FakeGithub;
let tokens: InstallationTokens;
let root: string;
let bare: string;
let sha: string;
let subSha: string;
let badSubSha: string;
const minted: string[] = [];

const sh = (cwd: string, cmd: string) => execFileSync("/bin/sh", ["-c", cmd], { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, GIT_CONFIG_NOSYSTEM: "1" } }).toString().trim();

beforeAll(async () => {
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(1);
  root = mkdtempSync(path.join(os.tmpdir(), "gantry-gh-checkout-"));
  chmodSync(root, 0o755);
  const work = path.join(root, "work");
  sh(root, `git init -q -b main ${work} && cd ${work} && git config user.email t@e && git config user.name t && echo one > a.txt && git add a.txt && git commit -qm one && git tag v1 && echo two > a.txt && git commit -qam two`);
  sha = sh(work, "git rev-parse HEAD");
  bare = path.join(root, "app.git");
  sh(root, `git clone -q --bare ${work} ${bare}`);
  fake.addGitRepository("acme/app", 1, bare);
  // acme/lib, and acme/with-sub whose submodule points at it by a relative URL (as GitHub repositories do).
  const lib = path.join(root, "lib-work");
  sh(root, `git init -q -b main ${lib} && cd ${lib} && git config user.email t@e && git config user.name t && echo lib > lib.txt && git add lib.txt && git commit -qm lib`);
  sh(root, `git clone -q --bare ${lib} ${path.join(root, "lib.git")}`);
  fake.addGitRepository("acme/lib", 1, path.join(root, "lib.git"));
  const withSub = path.join(root, "sub-work");
  sh(root, `git init -q -b main ${withSub} && cd ${withSub} && git config user.email t@e && git config user.name t && git -c protocol.file.allow=always submodule -q add ${path.join(root, "lib.git")} lib && git config -f .gitmodules submodule.lib.url ../lib.git && git add .gitmodules && git commit -qm sub`);
  subSha = sh(withSub, "git rev-parse HEAD");
  sh(root, `git clone -q --bare ${withSub} ${path.join(root, "with-sub.git")}`);
  fake.addGitRepository("acme/with-sub", 1, path.join(root, "with-sub.git"));
  // acme/bad-sub's submodule points at a path on the runner's host: never fetched.
  sh(withSub, `git config -f .gitmodules submodule.lib.url file://${path.join(root, "lib.git")} && git commit -qam bad`);
  badSubSha = sh(withSub, "git rev-parse HEAD");
  sh(root, `git clone -q --bare ${withSub} ${path.join(root, "bad-sub.git")}`);
  fake.addGitRepository("acme/bad-sub", 1, path.join(root, "bad-sub.git"));
  fake.addRepository("acme/elsewhere", 1, 77);
  tokens = new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url });
});
afterAll(async () => {
  await fake?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function token(permissions: Record<string, "read" | "write">, repository = "acme/app"): Promise<string> {
  const { token: value } = await tokens.mintNarrowed(1, { repositories: [repository.split("/")[1] ?? ""], permissions });
  minted.push(value);
  return value;
}

/** What the control plane's checkout-token route gives: contents:read on one repository. */
const checkoutToken = async (repository: string) => ({ token: await token({ contents: "read" }, repository), cloneUrl: `${fake.url}/${repository}.git` });

async function run(steps: ReturnType<typeof step>[], jobToken: string | null, repository = "acme/app", commit = sha): Promise<{ result: JobResult; text: string; config: string }> {
  const sandbox = await provider.prepare({ untrusted: false });
  const { log, text } = collectingLog();
  try {
    const result = await executeJob({
      job: job(steps, { env: { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" } }),
      sandbox,
      log,
      contexts: { github: { repository }, secrets: jobToken ? { GITHUB_TOKEN: jobToken } : {} },
      nativeActions: { "actions/checkout": checkoutAction({ repositoryUrl: `${fake.url}/${repository}.git`, sha: commit, github: { repository, serverUrl: fake.url, checkoutToken, jobToken, revoke: (value) => revokeInstallationToken(fake.url, value) } }) },
    });
    await log.close();
    const configFile = path.join(sandbox.hostPaths.workspace, ".git", "config");
    return { result, text: text(), config: existsSync(configFile) ? readFileSync(configFile, "utf8") : "" };
  } finally {
    await sandbox.destroy();
  }
}

const outcomes = (result: JobResult) => result.steps.map((each) => each.outcome);

describe("native checkout of a GitHub-connected repository", () => {
  it("fetches with a checkout token kept out of .git/config and the log; the job's contents:write token pushes, then leaves", { timeout: 60_000 }, async () => {
    const jobToken = await token({ contents: "write" });
    const before = minted.length;
    const { result, text, config } = await run(
      [
        step(0, { uses: "actions/checkout@v4" }),
        step(1, { run: "cat a.txt && git config --local --get-regexp 'extraheader' | sed 's/basic .*/basic <set>/' && git log --oneline | wc -l" }),
        step(2, { run: "echo three > a.txt && git commit -qam three && git push -q origin HEAD:refs/heads/pushed && echo pushed" }),
      ],
      jobToken,
    );
    expect(outcomes(result), text).toEqual(["success", "success", "success"]);
    expect(text).toContain("two\n");
    expect(text).toMatch(/\.extraheader AUTHORIZATION: basic <set>/);
    expect(text).toMatch(/^1$/m);
    expect(sh(root, `git --git-dir=${bare} log --format=%s -1 refs/heads/pushed`)).toBe("three");
    const checkoutTokenValue = minted[before];
    expect(checkoutTokenValue).toBeDefined();
    for (const secret of [checkoutTokenValue ?? "", jobToken, Buffer.from(`x-access-token:${checkoutTokenValue}`).toString("base64"), Buffer.from(`x-access-token:${jobToken}`).toString("base64")]) {
      expect(text).not.toContain(secret);
      expect(config).not.toContain(secret);
    }
    // The checkout token was for the fetch only; the job's token lives until its attempt ends.
    expect(fake.tokenGrant(checkoutTokenValue ?? "")).toBeUndefined();
    expect(fake.tokenGrant(jobToken)).toBeDefined();
    const fetches = fake.callsTo(/^POST \/acme\/app\.git\/git-upload-pack$/);
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches.every((call) => call.status === 200 && call.authorization === `basic ${Buffer.from(`x-access-token:${checkoutTokenValue}`).toString("base64")}`)).toBe(true);
    expect(fake.callsTo(/^POST \/acme\/app\.git\/git-receive-pack$/).at(-1)?.authorization).toBe(`basic ${Buffer.from(`x-access-token:${jobToken}`).toString("base64")}`);
    // The post step took the persisted credential out; origin stays, without any credential in it.
    expect(config).not.toMatch(/extraheader/i);
    expect(config).toContain(`url = ${fake.url}/acme/app.git`);
  });

  it("a read-only job token cannot push; persist-credentials: false persists nothing", { timeout: 60_000 }, async () => {
    const readToken = await token({ contents: "read" });
    const { result, text, config } = await run(
      [
        step(0, { uses: "actions/checkout@v4" }),
        step(1, { run: "echo four > a.txt && git commit -qam four && git push -q origin HEAD:refs/heads/denied" }),
        step(2, { uses: "actions/checkout@v4", with: { "persist-credentials": "false", path: "again" }, if: "always()" }),
        step(3, { run: "git -C again config --local --get-regexp extraheader || echo none persisted", if: "always()" }),
      ],
      readToken,
    );
    expect(outcomes(result), text).toEqual(["success", "failure", "success", "success"]);
    expect(text).toContain("denied to github-actions[bot]");
    expect(text).toContain("none persisted");
    expect(sh(root, `git --git-dir=${bare} for-each-ref refs/heads/denied`)).toBe("");
    expect(text).not.toContain(readToken);
    expect(config).not.toMatch(/extraheader/i);
  });

  it("fetch-depth 0 brings the whole history and the tags; a repository outside the installation is refused", { timeout: 60_000 }, async () => {
    const { result, text } = await run(
      [
        step(0, { uses: "actions/checkout@v4", with: { "fetch-depth": "0" } }),
        step(1, { run: "git log --oneline | wc -l && git tag" }),
        step(2, { uses: "actions/checkout@v4", with: { repository: "acme/elsewhere", path: "other" } }),
      ],
      null,
    );
    expect(outcomes(result).slice(0, 2), text).toEqual(["success", "success"]);
    expect(text).toMatch(/^2$/m);
    expect(text).toMatch(/^v1$/m);
    // The fake knows acme/elsewhere but serves no git for it: the fetch fails, and says which repository.
    expect(result.steps[2]?.outcome).toBe("failure");
  });

  it("submodules: true fetches a submodule of the same installation with a token of its own", { timeout: 60_000 }, async () => {
    const { result, text, config } = await run([step(0, { uses: "actions/checkout@v4", with: { submodules: "true" } }), step(1, { run: "cat lib/lib.txt" })], null, "acme/with-sub", subSha);
    expect(outcomes(result), text).toEqual(["success", "success"]);
    expect(text).toContain("lib\n");
    expect(fake.callsTo(/^POST \/acme\/lib\.git\/git-upload-pack$/).every((call) => call.status === 200)).toBe(true);
    expect(config).not.toMatch(/extraheader|x-access-token/i);
  });

  it("refuses a submodule that is not on the run's GitHub server", { timeout: 60_000 }, async () => {
    const { result } = await run([step(0, { uses: "actions/checkout@v4", with: { submodules: "recursive" } })], null, "acme/bad-sub", badSubSha);
    expect(result.steps[0]).toMatchObject({ outcome: "failure", error: expect.stringContaining("is not a repository on") });
  });

  it("lfs: true runs git lfs when the host has it, and fails clearly when it does not", { timeout: 60_000 }, async () => {
    const hostHasLfs = spawnSync("git", ["lfs", "version"]).status === 0;
    const { result, text } = await run([step(0, { uses: "actions/checkout@v4", with: { lfs: "true" } })], null);
    if (hostHasLfs) expect(result.steps[0]?.outcome, text).toBe("success");
    else expect(result.steps[0]).toMatchObject({ outcome: "failure", error: "checkout: lfs: true needs git-lfs on the runner's host, and it is not installed there" });
  });
});
