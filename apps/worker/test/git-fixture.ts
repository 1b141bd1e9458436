// A real bare repository and a working clone to commit into, in a temporary folder.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export class GitFixture {
  readonly root = mkdtempSync(path.join(os.tmpdir(), "gantry-git-"));
  readonly bare = path.join(this.root, "hello.git");
  readonly work = path.join(this.root, "work");

  constructor() {
    this.git(this.root, "init", "--quiet", "--bare", "--initial-branch=main", this.bare);
    this.git(this.root, "init", "--quiet", "--initial-branch=main", this.work);
  }

  git(cwd: string, ...args: string[]): string {
    return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], { cwd, encoding: "utf8" }).trim();
  }

  /** Writes files, commits and pushes to `branch`; returns { before, after }. */
  commit(files: Record<string, string>, branch = "main"): { before: string; after: string } {
    const before = this.head(branch);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(this.work, file)), { recursive: true });
      writeFileSync(path.join(this.work, file), content);
    }
    this.git(this.work, "add", "-A");
    this.git(this.work, "commit", "--quiet", "--allow-empty", "-m", `change ${Object.keys(files).join(", ")}`);
    this.git(this.work, "push", "--quiet", "--force", this.bare, `HEAD:refs/heads/${branch}`);
    return { before, after: this.git(this.work, "rev-parse", "HEAD") };
  }

  checkout(branch: string): void {
    this.git(this.work, "checkout", "--quiet", "-B", branch);
  }

  private head(branch: string): string {
    try {
      return this.git(this.bare, "rev-parse", `refs/heads/${branch}`);
    } catch {
      return "0".repeat(40);
    }
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
