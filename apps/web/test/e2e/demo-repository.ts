// A real bare git repository for the browser tests' workflows: `files` committed on main and pushed, and the demo
// repository's git source pointed at it (what the dispatch form and the worker's intake read).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO } from "@gantry/db";
import type { WebTestContext } from "../support";

export interface DemoRepository {
  remove(): void;
}

export async function demoRepository(t: WebTestContext, files: Record<string, string>): Promise<DemoRepository> {
  const root = mkdtempSync(path.join(os.tmpdir(), "gantry-e2e-repo-"));
  const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" });
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", "demo.git");
  git(root, "init", "--quiet", "--initial-branch=main", "work");
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, "work", file)), { recursive: true });
    writeFileSync(path.join(root, "work", file), text);
  }
  git(path.join(root, "work"), "add", "-A");
  git(path.join(root, "work"), "commit", "--quiet", "-m", "workflows");
  git(path.join(root, "work"), "push", "--quiet", path.join(root, "demo.git"), "HEAD:refs/heads/main");
  await t.database.system("test").gitSource.update({ where: { id: DEMO.gitSourceId }, data: { url: path.join(root, "demo.git") } });
  return { remove: () => rmSync(root, { recursive: true, force: true }) };
}
