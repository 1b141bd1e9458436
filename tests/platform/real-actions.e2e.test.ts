// GitHub's own released actions, unmodified (../shared/actions), run end to end: a workflow compiled from YAML goes
// through the real worker, the real runner routes (resolve, the actions toolkit's cache service) and the real runner
// agent on bwrap. The actions come from GANTRY_ACTIONS_DIR; the runner's tool cache is pre-populated, so setup-node
// and setup-python find their versions without a download; setup-node's `cache: npm` saves in its post step on the
// first run and restores on the second through the @actions/cache it bundles.
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO } from "@gantry/db";
import { signWebhook } from "@gantry/github";
import { FakeGithub, publishedExamples } from "@gantry/github/testing";
import { DirectoryObjectStore } from "@gantry/storage";
import { compileWorkflow } from "@gantry/workflow-schema";
import { readAttemptLog } from "../../apps/web/src/server/logs/read-attempt-log";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { startAgent, type AgentHandle } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { demo, startControlPlane, until, type ControlPlane } from "./control-plane";
import { cachedNodeVersion, cachedPythonVersion, populatedToolCache, SHARED_ACTIONS } from "./tool-cache-fixture";

const bwrap = await new BwrapProvider().probe();
if (!bwrap.available) console.warn(`real actions: skipping: ${bwrap.detail}`);
if (!existsSync(SHARED_ACTIONS)) throw new Error(`GitHub's released actions are missing at ${SHARED_ACTIONS} (../shared/actions beside the repository)`);
const nodeVersion = cachedNodeVersion;
const pythonVersion = cachedPythonVersion;

const TOOLCHAINS = `
name: Toolchains
on: push
jobs:
  node:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo '{"name":"demo","version":"1.0.0"}' > package.json
          echo '{"name":"demo","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"demo","version":"1.0.0"}}}' > package-lock.json
      - id: setup
        uses: actions/setup-node@v4.4.0
        with:
          node-version: ${nodeVersion}
          cache: npm
      - run: node --version
      - run: |
          cache="$(npm config get cache)"
          if [ -f "$cache/marker" ]; then echo "restored: $(cat "$cache/marker")"; fi
          mkdir -p "$cache" && echo "from run $GITHUB_RUN_NUMBER" > "$cache/marker"
    outputs:
      hit: \${{ steps.setup.outputs.cache-hit }}
  python:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5.6.0
        with:
          python-version: ${pythonVersion}
      - run: python --version
`;

describe.skipIf(!bwrap.available)("GitHub's released actions through the worker and a bwrap runner", () => {
  let cp: ControlPlane;
  let agent: AgentHandle | undefined;
  const lines: string[] = [];
  const toolCache = populatedToolCache();
  const state = mkdtempSync(path.join(os.tmpdir(), "gantry-runner-state-"));

  beforeAll(async () => {
    cp = await startControlPlane({ env: { GANTRY_LEASE_MS: "10000", GANTRY_HEARTBEAT_MS: "500", GANTRY_ACTIONS_DIR: SHARED_ACTIONS } });
    await cp.db.system("test").runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: "BWRAP" } });
    agent = startAgent(
      parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: cp.registrationToken, GANTRY_RUNNER_NAME: "real-actions", GANTRY_RUNNER_CAPACITY: "2", GANTRY_STATE_DIR: state, GANTRY_TOOL_CACHE: toolCache }),
      { log: (line) => lines.push(line) },
    );
  });
  afterAll(async () => {
    agent?.stop();
    await agent?.done.catch(() => undefined);
    await cp?.close();
    // GANTRY_ACTIONS_DIR and the rest go with this platform: the next suite resolves actions through GitHub.
    vi.unstubAllEnvs();
    rmSync(toolCache, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  async function runWorkflow(source: string): Promise<string> {
    const { plan, errors } = compileWorkflow(source, ".gantry/workflows/ci.yml");
    if (!plan) throw new Error(JSON.stringify(errors));
    const runId = await cp.startRun(plan);
    await until(
      `the run to conclude\n${lines.join("\n")}`,
      async () => (["SUCCEEDED", "FAILED", "CANCELED"].includes((await cp.db.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId } })).status) ? true : undefined),
      180_000,
    );
    return runId;
  }

  async function jobLog(runId: string, key: string): Promise<string> {
    const job = await cp.db.system("test").jobRun.findFirstOrThrow({ where: { runId, key }, include: { attempts: true } });
    const log = await readAttemptLog(cp.db.forTenant(demo), new DirectoryObjectStore(cp.storage), job.attempts[0]?.id ?? "");
    return log.chunks.map((chunk) => chunk.text).join("");
  }

  async function jobs(runId: string) {
    return cp.db.system("test").jobRun.findMany({ where: { runId }, orderBy: { key: "asc" }, select: { key: true, status: true, failureReason: true, outputs: true } });
  }

  it("setup-node and setup-python find the tool cache; setup-node's npm cache saves on the first run and restores on the second", async () => {
    const first = await runWorkflow(TOOLCHAINS);
    const firstNode = await jobLog(first, "node");
    const firstPython = await jobLog(first, "python");
    expect((await jobs(first)).map((job) => [job.key, job.status]), `${firstNode}\n${firstPython}\n${lines.join("\n")}`).toEqual([
      ["node", "SUCCEEDED"],
      ["python", "SUCCEEDED"],
    ]);
    // Resolved from GANTRY_ACTIONS_DIR at the commit INDEX.tsv gives the tag, as GitHub's runner prints it.
    expect(firstNode).toContain("Download action repository 'actions/setup-node@v4.4.0' (SHA:49933ea5288caeca8642d1e84afbd3f7d6820020)");
    expect(firstNode).toContain(`Found in cache @ /opt/hostedtoolcache/node/${nodeVersion}/x64`);
    expect(firstNode).toContain(`v${nodeVersion}\n`);
    expect(firstNode).not.toMatch(/Attempting to download|Acquiring .* from/);
    expect(firstNode).toMatch(/Cache saved with the key: node-cache-Linux-x64-npm-[0-9a-f]{64}/);
    expect(firstPython).toContain(`Python ${pythonVersion}\n`);
    expect(firstPython).not.toContain("is available for downloading");
    // The step records the commit its action resolved to.
    const stepShas = await cp.db.system("test").stepRun.findMany({ where: { attempt: { job: { runId: first } }, actionSha: { not: null } }, select: { actionSha: true } });
    expect(stepShas.map((step) => step.actionSha).sort()).toEqual(["49933ea5288caeca8642d1e84afbd3f7d6820020", "a26af69be951a213d495a4c3e4e4022e16d87065"]);

    const second = await runWorkflow(TOOLCHAINS);
    const secondNode = await jobLog(second, "node");
    expect((await jobs(second)).find((job) => job.key === "node"), secondNode).toMatchObject({ status: "SUCCEEDED", outputs: { hit: "true" } });
    expect(secondNode).toContain("Cache restored from key");
    expect(secondNode).toContain("restored: from run");
    // The first run's outputs said it missed.
    expect((await jobs(first)).find((job) => job.key === "node")?.outputs).toEqual({ hit: "false" });
  });

  it("a ref that resolves nowhere fails its step naming the action and what was tried", async () => {
    const runId = await runWorkflow(`
name: Missing
on: push
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v0.0.0-nope
`);
    const [job] = await jobs(runId);
    const log = await jobLog(runId, "x");
    expect(job?.status, log).toBe("FAILED");
    expect(log).toMatch(/action "actions\/setup-node@v0\.0\.0-nope" could not be resolved/);
  });
});

// The same through a GitHub-connected repository, as a team that installs the App would: a signed push webhook and a
// pull request from a fork reach the real webhook route and the worker's GitHub intake, which reads
// `.github/workflows` at the commit from the fake GitHub; the runner checks the repository out through a per-repository
// installation token, actions come from GitHub itself (the fake serves ../shared/actions as its tarball endpoint
// does), and github-script calls GitHub's REST API with the job's GITHUB_TOKEN through the runner's service proxy.
const INSTALLATION = 4242;
const REPO = { id: "repo_real_actions", fullName: "acme/app", githubId: 7001 };

const CI = `name: CI
on: push
permissions:
  contents: read
  issues: write
jobs:
  script:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - run: |
          cat README.md
          if grep -qi "authorization\\|x-access-token" .git/config; then echo "credentials left in .git/config"; exit 1; fi
      - id: v7
        uses: actions/github-script@v7.0.1
        with:
          script: |
            const { data } = await github.rest.issues.create({ ...context.repo, title: "from github-script v7" });
            core.setOutput("title", data.title);
            return data.number;
      - id: v8
        uses: actions/github-script@v8.0.0
        with:
          result-encoding: string
          script: |
            const { data } = await github.rest.repos.get(context.repo);
            return data.full_name;
      - run: echo "issue \${{ steps.v7.outputs.result }} '\${{ steps.v7.outputs.title }}' in \${{ steps.v8.outputs.result }}"
  write:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: actions/github-script@v8.0.0
        with:
          script: |
            await github.rest.git.createRef({ ...context.repo, ref: "refs/heads/from-write-job", sha: context.sha });
  read:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/github-script@v8.0.0
        with:
          script: |
            try {
              await github.rest.git.createRef({ ...context.repo, ref: "refs/heads/from-read-job", sha: context.sha });
              core.setFailed("a contents: read token created a ref");
            } catch (error) {
              console.log("refused: " + error.status + " " + error.message);
            }
`;

const PR = `name: PR
on: pull_request
permissions: write-all
jobs:
  fork:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cat FORK.md
      - uses: actions/github-script@v8.0.0
        with:
          script: |
            try {
              await github.rest.issues.create({ ...context.repo, title: "from a fork" });
              core.setFailed("a fork's pull request wrote with its token");
            } catch (error) {
              console.log("fork token refused: " + error.status);
            }
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } })
    .toString()
    .trim();
}

describe.skipIf(!bwrap.available)("a GitHub-connected repository's workflows with GitHub's released actions, through the webhook, the worker and a bwrap runner", () => {
  let cp: ControlPlane;
  let fake: FakeGithub;
  let agent: AgentHandle | undefined;
  const lines: string[] = [];
  const work = mkdtempSync(path.join(os.tmpdir(), "gantry-real-github-"));
  const state = mkdtempSync(path.join(os.tmpdir(), "gantry-runner-state-"));
  let mainSha = "";
  let forkSha = "";

  beforeAll(async () => {
    fake = new FakeGithub();
    await fake.start();
    fake.addInstallation(INSTALLATION);
    fake.addRepository(REPO.fullName, INSTALLATION, REPO.githubId);
    fake.serveActions(SHARED_ACTIONS);
    // The repository: a bare repository the fake serves over git's smart HTTP, and the same files through its
    // contents API (what intake reads).
    const bare = path.join(work, "app.git");
    const clone = path.join(work, "clone");
    git(work, "init", "--quiet", "--bare", "--initial-branch=main", bare);
    git(work, "init", "--quiet", "--initial-branch=main", clone);
    const files = { "README.md": "hello from acme/app\n", ".github/workflows/ci.yml": CI, ".github/workflows/pr.yml": PR };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(clone, name)), { recursive: true });
      writeFileSync(path.join(clone, name), text);
    }
    git(clone, "add", "-A");
    git(clone, "commit", "--quiet", "-m", "ci");
    mainSha = git(clone, "rev-parse", "HEAD");
    writeFileSync(path.join(clone, "FORK.md"), "code from a fork\n");
    git(clone, "add", "-A");
    git(clone, "commit", "--quiet", "-m", "from a fork");
    forkSha = git(clone, "rev-parse", "HEAD");
    git(clone, "push", "--quiet", bare, `${mainSha}:refs/heads/main`, `${forkSha}:refs/pull/7/head`);
    fake.addGitRepository(REPO.fullName, INSTALLATION, bare);
    fake.addCommit(REPO.fullName, INSTALLATION, mainSha, files);
    fake.addCommit(REPO.fullName, INSTALLATION, forkSha, { ...files, "FORK.md": "code from a fork\n" });
    fake.setBranch(REPO.fullName, INSTALLATION, "main", mainSha);

    cp = await startControlPlane({
      env: {
        GANTRY_LEASE_MS: "10000",
        GANTRY_HEARTBEAT_MS: "500",
        GANTRY_MASTER_KEY: randomBytes(32).toString("base64"),
        GANTRY_GITHUB_APP_ID: fake.appId,
        GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem,
        GANTRY_GITHUB_WEBHOOK_SECRET: fake.webhookSecret,
        GANTRY_GITHUB_API_URL: fake.url,
        GANTRY_GITHUB_WEB_URL: fake.url,
      },
    });
    const sys = cp.db.system("test setup: the App's installation in the demo tenant");
    await sys.runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: "BWRAP" } });
    await sys.installation.create({ data: { id: "inst_real_actions", tenantId: DEMO.tenantId, githubInstallationId: BigInt(INSTALLATION), accountLogin: "acme", accountType: "Organization" } });
    await sys.repository.create({ data: { id: REPO.id, tenantId: DEMO.tenantId, installationId: "inst_real_actions", githubRepoId: BigInt(REPO.githubId), fullName: REPO.fullName, defaultBranch: "main", readGithubWorkflows: true } });
    // A runner that offers bwrap only: the fork's untrusted job runs in its strongest isolating provider, bwrap here.
    agent = startAgent(parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: cp.registrationToken, GANTRY_RUNNER_NAME: "real-github", GANTRY_RUNNER_CAPACITY: "2", GANTRY_STATE_DIR: state }), {
      providers: [new BwrapProvider()],
      log: (line) => lines.push(line),
    });
  });
  afterAll(async () => {
    agent?.stop();
    await agent?.done.catch(() => undefined);
    await cp?.close();
    await fake?.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  async function deliver(event: string, payload: object): Promise<void> {
    const body = JSON.stringify(payload);
    const response = await fetch(`${cp.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": randomUUID(), "x-hub-signature-256": signWebhook(fake.webhookSecret, body) },
      body,
    });
    expect(response.status, await response.text()).toBe(202);
  }

  async function concluded(workflowName: string): Promise<{ id: string; status: string }> {
    return until(
      `the ${workflowName} run to conclude\n${lines.join("\n")}`,
      async () => {
        const run = await cp.db.system("test").workflowRun.findFirst({ where: { repositoryId: REPO.id, workflowName }, orderBy: { createdAt: "desc" } });
        return run && ["SUCCEEDED", "FAILED", "CANCELED"].includes(run.status) ? run : undefined;
      },
      180_000,
    );
  }

  async function logOf(runId: string, key: string): Promise<string> {
    const job = await cp.db.system("test").jobRun.findFirstOrThrow({ where: { runId, key }, include: { attempts: true } });
    const log = await readAttemptLog(cp.db.forTenant(demo), new DirectoryObjectStore(cp.storage), job.attempts[0]?.id ?? "");
    return log.chunks.map((chunk) => chunk.text).join("");
  }

  const repository = () => ({ ...(publishedExamples("push")[0]?.repository as object), id: REPO.githubId, name: "app", full_name: REPO.fullName, default_branch: "main", owner: { login: "acme", id: 1 } });

  it("a push runs .github/workflows: checkout through an installation token, github-script v7 and v8 with GITHUB_TOKEN, write only where contents: write", async () => {
    const base = publishedExamples("push").find((payload) => payload.installation !== undefined) ?? {};
    await deliver("push", { ...base, ref: "refs/heads/main", before: "0".repeat(39) + "1", after: mainSha, created: false, deleted: false, forced: false, commits: [], head_commit: { ...(base.head_commit as object), id: mainSha }, repository: repository(), installation: { id: INSTALLATION } });
    const run = await concluded("CI");
    const script = await logOf(run.id, "script");
    const jobs = await cp.db.system("test").jobRun.findMany({ where: { runId: run.id }, orderBy: { key: "asc" }, select: { key: true, status: true } });
    expect(jobs.map((job) => [job.key, job.status]), `${script}\n${await logOf(run.id, "read")}\n${lines.join("\n")}`).toEqual([
      ["read", "SUCCEEDED"],
      ["script", "SUCCEEDED"],
      ["write", "SUCCEEDED"],
    ]);
    expect(script).toContain("hello from acme/app");
    expect(script).toContain("Download action repository 'actions/github-script@v7.0.1' (SHA:60a0d83039c74a4aee543508d2ffcb1c3799cdea)");
    expect(script).toContain("issue 1 'from github-script v7' in acme/app");
    expect(fake.issuesOf(REPO.fullName).map((issue) => issue.title)).toEqual(["from github-script v7"]);
    // The actions came from GitHub's tarball endpoint, through the installation's token.
    expect(fake.callsTo(/^GET \/repos\/actions\/github-script\/tarball\//).length).toBeGreaterThan(0);
    // contents: write could create a ref; the workflow's contents: read could not.
    expect([...fake.createdRefsOf(REPO.fullName).keys()]).toEqual(["refs/heads/from-write-job"]);
    expect(await logOf(run.id, "read")).toMatch(/refused: 403 Resource not accessible by integration/);
    // No token in any log: GITHUB_TOKEN is masked.
    for (const key of ["script", "write", "read"]) expect(await logOf(run.id, key)).not.toMatch(/ghs_[A-Za-z0-9]/);
  });

  it("a pull request from a fork runs untrusted: its code is checked out, and its token is read-only whatever it asks", async () => {
    const base = publishedExamples("pull_request").find((payload) => payload.action === "opened") ?? {};
    const pr = base.pull_request as Record<string, Record<string, unknown>>;
    await deliver("pull_request", {
      ...base,
      action: "opened",
      number: 7,
      pull_request: {
        ...pr,
        number: 7,
        merge_commit_sha: null,
        head: { ...pr.head, sha: forkSha, ref: "feature", repo: { ...(pr.head?.repo as object), id: 999_001, full_name: "mallory/app", fork: true } },
        base: { ...pr.base, sha: mainSha, ref: "main", repo: repository() },
      },
      repository: repository(),
      installation: { id: INSTALLATION },
    });
    const run = await concluded("PR");
    const log = await logOf(run.id, "fork");
    expect(run.status, `${log}\n${lines.join("\n")}`).toBe("SUCCEEDED");
    expect(log).toContain("code from a fork");
    expect(log).toContain("fork token refused: 403");
    expect(fake.issuesOf(REPO.fullName).map((issue) => issue.title)).not.toContain("from a fork");
  });
});
