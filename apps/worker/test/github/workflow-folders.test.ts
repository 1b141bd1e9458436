// Which workflow folders intake reads (packages/sources workflow-folders.ts): GitHub-connected repositories read
// `.gantry/workflows` and `.github/workflows` by default, plain git ones `.gantry/workflows` only; a repository
// setting turns either off; of two files with the same name the `.gantry/workflows` one runs. Through the real
// intake: GitHub's contents API served by the fake, and a real bare git repository.
import { randomBytes, randomUUID } from "node:crypto";
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake } from "@gantry/db";
import { githubRepositoryRowId } from "@gantry/github";
import { selectWorkflowFiles } from "@gantry/sources";
import { processDelivery } from "../../src/intake/process-delivery";
import type { GithubIntakeDeps } from "../../src/intake/github/types";
import { GitFixture } from "../git-fixture";
import { githubTestbed, type GithubTestbed } from "./github-testbed";

const INSTALLATION = 41_001;
const REPO_ID = 641_001;
const FULL_NAME = "folders/app";
const workflow = (name: string) => `name: ${name}\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${name}\n`;
const TREE = {
  ".gantry/workflows/ci.yml": workflow("Gantry CI"),
  ".github/workflows/ci.yml": workflow("GitHub CI"),
  ".github/workflows/lint.yaml": workflow("Lint"),
  ".github/workflows/README.md": "not a workflow",
};

let bed: GithubTestbed;
let deps: GithubIntakeDeps;
let git: GitFixture;
const sha = () => randomBytes(20).toString("hex");
const githubRepositoryId = githubRepositoryRowId(REPO_ID);
const GIT_REPOSITORY_ID = "repo_folders_git";

beforeAll(async () => {
  bed = await githubTestbed({ installation: INSTALLATION, id: REPO_ID, fullName: FULL_NAME });
  deps = { db: bed.db, startRun: startRunsNow(bed.db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"), github: { ...bed.github, checks: false } };
  git = new GitFixture();
  const sys = bed.db.system("test setup");
  await sys.gitSource.create({ data: { id: "src_folders", tenantId: bed.tenantId, name: "local", url: git.bare, notifySecretCiphertext: new Uint8Array() } });
  await sys.repository.create({ data: { id: GIT_REPOSITORY_ID, tenantId: bed.tenantId, fullName: "folders/plain", gitSourceId: "src_folders" } });
});
afterAll(async () => {
  await bed?.close();
  git?.remove();
});

const setFolders = (repositoryId: string, folders: { readGantryWorkflows: boolean; readGithubWorkflows: boolean }) =>
  bed.db.system("test: folder settings").repository.update({ where: { id: repositoryId }, data: folders });

async function pushToGithub(files: Record<string, string>) {
  const after = sha();
  bed.fake.addCommit(FULL_NAME, INSTALLATION, after, files);
  const payload = {
    ref: "refs/heads/main",
    before: sha(),
    after,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    commits: [],
    head_commit: null,
    pusher: { name: "octo" },
    repository: { id: REPO_ID, name: "app", full_name: FULL_NAME, private: true, owner: { login: "folders" }, default_branch: "main" },
    installation: { id: INSTALLATION },
  };
  const { id } = await intake.recordDelivery(bed.db.sql("test"), { deliveryId: randomUUID(), source: "github", event: "push", payload });
  return processDelivery(deps, id);
}

async function pushToGit(files: Record<string, string>) {
  const push = git.commit(files);
  const { id } = await intake.recordDelivery(bed.db.sql("test"), {
    deliveryId: randomUUID(),
    source: "git",
    event: "push",
    tenantId: bed.tenantId,
    repositoryId: GIT_REPOSITORY_ID,
    payload: { repository: "folders/plain", ref: "refs/heads/main", ...push },
  });
  return processDelivery(deps, id);
}

const ran = (result: Awaited<ReturnType<typeof processDelivery>>) => (result?.runs ?? []).map((run) => run.workflowPath).sort();

describe("workflow folders", () => {
  it("the same-name rule: a .gantry/workflows file hides a .github/workflows file of that name", () => {
    const folders = [".gantry/workflows", ".github/workflows"];
    expect(selectWorkflowFiles([".github/workflows/ci.yml", ".gantry/workflows/ci.yml", ".github/workflows/lint.yml", "other/x.yml"], folders)).toEqual([".gantry/workflows/ci.yml", ".github/workflows/lint.yml"]);
    // ci.yml and ci.yaml are different names: both run.
    expect(selectWorkflowFiles([".github/workflows/ci.yaml", ".gantry/workflows/ci.yml"], folders)).toEqual([".gantry/workflows/ci.yml", ".github/workflows/ci.yaml"]);
    expect(selectWorkflowFiles([".gantry/workflows/ci.yml", ".github/workflows/ci.yml"], [".github/workflows"])).toEqual([".github/workflows/ci.yml"]);
  });

  it("a GitHub-connected repository reads both folders by default, .gantry/workflows winning a name both hold", async () => {
    const repository = await bed.db.system("test").repository.findUniqueOrThrow({ where: { id: githubRepositoryId } });
    expect(repository).toMatchObject({ readGantryWorkflows: true, readGithubWorkflows: true });
    const result = await pushToGithub(TREE);
    expect(result?.reason).toBeUndefined();
    expect(result?.outcome).toBe("PROCESSED");
    expect(ran(result)).toEqual([".gantry/workflows/ci.yml", ".github/workflows/lint.yaml"]);
    const names = await bed.db.system("test").workflowRun.findMany({ where: { repositoryId: githubRepositoryId }, select: { workflowName: true } });
    expect(names.map((run) => run.workflowName).sort()).toEqual(["Gantry CI", "Lint"]);
    // The hidden file is not even read.
    expect(bed.fake.callsTo(/contents\/\.github\/workflows\/ci\.yml$/)).toHaveLength(0);
  });

  it("a folder turned off is not read; with .gantry/workflows off, .github/workflows/ci.yml runs", async () => {
    await setFolders(githubRepositoryId, { readGantryWorkflows: true, readGithubWorkflows: false });
    expect(ran(await pushToGithub(TREE))).toEqual([".gantry/workflows/ci.yml"]);
    await setFolders(githubRepositoryId, { readGantryWorkflows: false, readGithubWorkflows: true });
    expect(ran(await pushToGithub(TREE))).toEqual([".github/workflows/ci.yml", ".github/workflows/lint.yaml"]);
    await setFolders(githubRepositoryId, { readGantryWorkflows: false, readGithubWorkflows: false });
    const calls = bed.fake.calls.length;
    const none = await pushToGithub(TREE);
    expect(none).toMatchObject({ outcome: "IGNORED", reason: "no workflow files at this commit", runs: [] });
    expect(bed.fake.calls.slice(calls).filter((call) => call.path.includes("/contents/"))).toHaveLength(0);
    await setFolders(githubRepositoryId, { readGantryWorkflows: true, readGithubWorkflows: true });
  });

  it("a check-run re-run of a workflow whose folder was turned off since is refused with the reason", async () => {
    const result = await pushToGithub({ ".github/workflows/lint.yaml": workflow("Lint") });
    const [entry] = result?.runs ?? [];
    const run = await bed.db.system("test").workflowRun.findUniqueOrThrow({ where: { id: entry?.runId ?? "" }, include: { jobs: true } });
    await setFolders(githubRepositoryId, { readGantryWorkflows: true, readGithubWorkflows: false });
    const suite = { id: 77, head_branch: "main", head_sha: run.sha, updated_at: new Date().toISOString() };
    const payload = {
      action: "rerequested",
      check_run: { id: 5_001, name: "Lint / build", head_sha: run.sha, external_id: run.jobs[0]?.id ?? "", check_suite: suite },
      repository: { id: REPO_ID, name: "app", full_name: FULL_NAME, private: true, owner: { login: "folders" } },
      installation: { id: INSTALLATION },
    };
    const { id } = await intake.recordDelivery(bed.db.sql("test"), { deliveryId: randomUUID(), source: "github", event: "check_run", payload });
    expect(await processDelivery(deps, id)).toMatchObject({ outcome: "IGNORED", reason: ".github/workflows/lint.yaml is not re-run: the repository does not read .github/workflows (a repository setting)", runs: [] });
    await setFolders(githubRepositoryId, { readGantryWorkflows: true, readGithubWorkflows: true });
  });

  it("a plain git repository reads .gantry/workflows only unless .github/workflows is turned on", async () => {
    const repository = await bed.db.system("test").repository.findUniqueOrThrow({ where: { id: GIT_REPOSITORY_ID } });
    expect(repository).toMatchObject({ readGantryWorkflows: true, readGithubWorkflows: false });
    expect(ran(await pushToGit(TREE))).toEqual([".gantry/workflows/ci.yml"]);
    await setFolders(GIT_REPOSITORY_ID, { readGantryWorkflows: true, readGithubWorkflows: true });
    expect(ran(await pushToGit({ "src/a.txt": "1" }))).toEqual([".gantry/workflows/ci.yml", ".github/workflows/lint.yaml"]);
    await setFolders(GIT_REPOSITORY_ID, { readGantryWorkflows: false, readGithubWorkflows: false });
    expect(await pushToGit({ "src/a.txt": "2" })).toMatchObject({ outcome: "IGNORED", reason: "no workflow files at this commit" });
  });

  it("a manual run of a file the settings do not read is refused by the worker too (hidden by name, or its folder off)", async () => {
    const dispatchable = (name: string) => `name: ${name}\non: workflow_dispatch\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${name}\n`;
    const { after } = git.commit({ ".gantry/workflows/deploy.yml": dispatchable("Gantry deploy"), ".github/workflows/deploy.yml": dispatchable("GitHub deploy"), ".github/workflows/release.yml": dispatchable("Release") });
    await setFolders(GIT_REPOSITORY_ID, { readGantryWorkflows: true, readGithubWorkflows: true });
    const dispatch = async (workflowPath: string) => {
      const payload = { idempotencyKey: randomUUID(), workflowPath, ref: "refs/heads/main", sha: after, inputs: {}, actor: "tester@example.com" };
      const { id } = await intake.recordDelivery(bed.db.sql("test"), { deliveryId: `dispatch:${randomUUID()}`, source: "api", event: "workflow_dispatch", tenantId: bed.tenantId, repositoryId: GIT_REPOSITORY_ID, payload });
      return processDelivery(deps, id);
    };
    expect(await dispatch(".github/workflows/deploy.yml")).toMatchObject({ outcome: "IGNORED", reason: expect.stringContaining(".gantry/workflows/deploy.yml has the same name and wins over it") });
    expect(await dispatch(".gantry/workflows/deploy.yml")).toMatchObject({ outcome: "PROCESSED", runs: [expect.objectContaining({ created: true })] });
    expect(await dispatch(".github/workflows/release.yml")).toMatchObject({ outcome: "PROCESSED" });
    await setFolders(GIT_REPOSITORY_ID, { readGantryWorkflows: true, readGithubWorkflows: false });
    expect(await dispatch(".github/workflows/release.yml")).toMatchObject({ outcome: "IGNORED", reason: expect.stringContaining("the repository does not read .github/workflows") });
  });
});
