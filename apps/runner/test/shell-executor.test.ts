import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Assignment } from "@gantry/runner-protocol";
import { describe, expect, it } from "vitest";
import { parseFileCommands } from "../src/file-commands";
import { shellExecutor } from "../src/shell-executor";

type StepInput = { run?: string; uses?: string; id?: string; if?: string; env?: Record<string, string>; continueOnError?: boolean };

function assignment(steps: StepInput[], extra: Partial<Assignment["job"]> = {}, run: Partial<Assignment["run"]> = {}): Assignment {
  return {
    attemptId: "att",
    attempt: 1,
    jobToken: "gjt_xxxxxxxxxxxxxxxxxxxxxxxx",
    leaseMs: 30_000,
    heartbeatMs: 5_000,
    run: { id: "run", number: 1, event: "push", ref: "refs/heads/main", sha: "a".repeat(40), repository: "demo/hello", repositoryUrl: null, trusted: true, ...run },
    job: {
      key: "build",
      jobId: "build",
      name: "build",
      env: {},
      outputs: {},
      timeoutMinutes: 5,
      continueOnError: false,
      ...extra,
      steps: steps.map((step, index) => ({ index, if: step.if ?? "success()", env: step.env ?? {}, with: {}, continueOnError: step.continueOnError ?? false, ...(step.run ? { run: step.run } : {}), ...(step.uses ? { uses: step.uses } : {}), ...(step.id ? { id: step.id } : {}) })),
    },
    needs: { prep: { result: "success", outputs: { version: "1.2.3" } } },
  };
}

const run = (a: Assignment, signal = new AbortController().signal) => {
  const lines: string[] = [];
  return shellExecutor((line) => lines.push(line))(a, signal).then((outcome) => ({ outcome, lines }));
};

describe("file commands", () => {
  it("parse name=value and heredoc values", () => {
    expect(parseFileCommands("a=1\nb=x=y\nmulti<<EOF\nline 1\nline 2\nEOF\n")).toEqual({ a: "1", b: "x=y", multi: "line 1\nline 2" });
  });
});

describe("the process executor", () => {
  it("runs steps with bash, passes outputs, env and needs along, and evaluates job outputs", async () => {
    const { outcome, lines } = await run(
      assignment(
        [
          { id: "one", run: 'echo "greeting=hello" >> "$GITHUB_OUTPUT"\necho "NAME=gantry" >> "$GITHUB_ENV"' },
          { id: "two", run: 'echo "${{ steps.one.outputs.greeting }} $NAME ${{ needs.prep.outputs.version }}"\necho "v<<END" >> "$GITHUB_OUTPUT"\necho "a\nb" >> "$GITHUB_OUTPUT"\necho END >> "$GITHUB_OUTPUT"' },
        ],
        { outputs: { joined: "${{ steps.one.outputs.greeting }}-${{ steps.two.outputs.v }}" } },
      ),
    );
    expect(outcome).toEqual({ conclusion: "SUCCEEDED", outputs: { joined: "hello-a\nb" } });
    expect(lines).toContain("[two] hello gantry 1.2.3");
  });

  it("fails on a failing step (set -e, pipefail), skips later success() steps, runs failure() and always() ones", async () => {
    const { outcome, lines } = await run(
      assignment([
        { run: "false | true\necho survived-pipe-only-if-no-pipefail" },
        { run: "echo skipped" },
        { run: "echo on-failure", if: "failure()" },
        { run: "echo always", if: "always()" },
      ]),
    );
    expect(outcome.conclusion).toBe("FAILED");
    expect(lines.join("\n")).not.toContain("survived");
    expect(lines.join("\n")).not.toContain("skipped");
    expect(lines.some((l) => l.endsWith("on-failure"))).toBe(true);
    expect(lines.some((l) => l.endsWith("always"))).toBe(true);
  });

  it("continue-on-error lets the job succeed", async () => {
    const { outcome } = await run(assignment([{ run: "exit 3", continueOnError: true }, { run: "echo ok" }]));
    expect(outcome.conclusion).toBe("SUCCEEDED");
  });

  it("stops promptly when cancelled", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = run(assignment([{ run: "sleep 30" }]), controller.signal);
    setTimeout(() => controller.abort(), 300);
    const { outcome } = await pending;
    expect(outcome.conclusion).toBe("CANCELED");
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("refuses untrusted runs: the process provider has no isolation", async () => {
    const { outcome } = await run(assignment([{ run: "echo hi" }], {}, { trusted: false }));
    expect(outcome).toMatchObject({ conclusion: "FAILED", failureReason: "the process provider does not run untrusted (fork) jobs" });
  });

  it("checks out the repository at the commit", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "gantry-checkout-"));
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: root, encoding: "utf8" }).trim();
    git("init", "--quiet", "--initial-branch=main");
    writeFileSync(path.join(root, "hello.txt"), "from the repo\n");
    git("add", ".");
    git("commit", "--quiet", "-m", "c");
    const sha = git("rev-parse", "HEAD");
    try {
      const { outcome, lines } = await run(assignment([{ uses: "actions/checkout@v4" }, { run: "cat hello.txt" }], {}, { repositoryUrl: root, sha }));
      expect(outcome.conclusion).toBe("SUCCEEDED");
      expect(lines.some((l) => l.endsWith("from the repo"))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
