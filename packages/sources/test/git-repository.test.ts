import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitReadError, openRepository } from "../src/index";

const root = mkdtempSync(path.join(os.tmpdir(), "gantry-sources-"));
const bare = path.join(root, "repo.git");
const work = path.join(root, "work");
const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" }).trim();
let first = "";
let second = "";

beforeAll(() => {
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", bare);
  git(root, "init", "--quiet", "--initial-branch=main", work);
  mkdirSync(path.join(work, ".gantry/workflows"), { recursive: true });
  writeFileSync(path.join(work, ".gantry/workflows/manual.yml"), "on: workflow_dispatch\n");
  writeFileSync(path.join(work, ".gantry/workflows/notes.txt"), "not a workflow\n");
  git(work, "add", "-A");
  git(work, "commit", "--quiet", "-m", "one");
  first = git(work, "rev-parse", "HEAD");
  git(work, "tag", "-a", "v1", "-m", "v1");
  git(work, "tag", "release");
  writeFileSync(path.join(work, ".gantry/workflows/ci.yaml"), "on: push\n");
  git(work, "add", "-A");
  git(work, "commit", "--quiet", "-m", "two");
  second = git(work, "rev-parse", "HEAD");
  git(work, "branch", "release");
  git(work, "push", "--quiet", bare, "refs/heads/main", "refs/heads/release", "--tags");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("GitRepository", () => {
  it("resolves branch and tag names (annotated tags to their commit; a branch wins over a tag of the same name)", async () => {
    const repo = await openRepository(bare, path.join(root, "cache"));
    expect(await repo.resolveRef("main")).toEqual({ ref: "refs/heads/main", sha: second });
    expect(await repo.resolveRef("v1")).toEqual({ ref: "refs/tags/v1", sha: first });
    expect(await repo.resolveRef("refs/tags/release")).toEqual({ ref: "refs/tags/release", sha: first });
    expect(await repo.resolveRef("release")).toEqual({ ref: "refs/heads/release", sha: second });
    expect(await repo.resolveRef("nope")).toBeNull();
    expect(await repo.resolveRef("main~1")).toBeNull();
    expect(await repo.resolveRef("--upload-pack=x")).toBeNull();
  });

  it("lists and reads workflow files at a commit", async () => {
    const repo = await openRepository(`file://${bare}`, path.join(root, "cache"));
    expect(await repo.workflowFiles(first, [".gantry/workflows"])).toEqual([".gantry/workflows/manual.yml"]);
    expect(await repo.workflowFiles(second, [".gantry/workflows"])).toEqual([".gantry/workflows/ci.yaml", ".gantry/workflows/manual.yml"]);
    expect(await repo.readFile(first, ".gantry/workflows/manual.yml")).toBe("on: workflow_dispatch\n");
    await expect(repo.readFile(first, ".gantry/workflows/ci.yaml")).rejects.toThrow(GitReadError);
  });
});
