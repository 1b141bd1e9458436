import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";

function run(argv: string[], files: Record<string, string>, listed?: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, {
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) throw new Error("ENOENT");
      return f;
    },
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    ...(listed ? { listFiles: () => listed } : {}),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const GOOD = "on: push\njobs:\n  a:\n    runs-on: linux-x64\n    timeout-minutes: 30\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n";

describe("gantry validate", () => {
  it("exits 0 on a valid file", () => expect(run(["validate", "a.yml"], { "a.yml": GOOD })).toEqual({ code: 0, out: "", err: "" }));

  it("prints file:line:col: message [code] and exits 1", () => {
    const r = run(["validate", "a.yml", "b.yml"], { "a.yml": GOOD, "b.yml": "on: pushh\njobs: {}\n" });
    expect(r.code).toBe(1);
    expect(r.out.split("\n")).toEqual([expect.stringMatching(/^b\.yml:1:5: unknown Webhook event "pushh"\..*\[unknown-event\]$/), expect.stringMatching(/^b\.yml:2:7: "jobs" section should not be empty \[empty-value\]$/)]);
  });

  it("--json prints the error objects", () => {
    const r = run(["validate", "--json", "b.yml"], { "b.yml": "on: pushh\njobs: {}\n" });
    expect(JSON.parse(r.out)).toMatchObject([{ file: "b.yml", line: 1, col: 5, code: "unknown-event", severity: "error" }, { code: "empty-value" }]);
  });

  it("tenant flags turn on the tenant checks", () => {
    const r = run(["validate", "--labels", "arm64", "--secrets", "OTHER", "--max-timeout", "10", "a.yml"], { "a.yml": GOOD });
    expect(r.code).toBe(1);
    expect(r.out).toContain("[unknown-runner-label]");
    expect(r.out).toContain("[timeout-too-long]");
    expect(r.out).toContain("[undefined-secret]");
  });

  it("--config reads the tenant context from JSON", () => {
    const r = run(["validate", "--config", "t.json", "a.yml"], { "a.yml": GOOD, "t.json": JSON.stringify({ poolLabels: ["linux-x64"], secretNames: ["TOKEN"], maxTimeoutMinutes: 60 }) });
    expect(r.code).toBe(0);
  });

  it("--config takes the tenant's allowed-actions policy, and refuses a bad pattern", () => {
    const wf = "on: push\njobs:\n  a:\n    runs-on: l\n    steps:\n      - uses: foo/bar@v1\n";
    const refused = run(["validate", "--config", "t.json", "a.yml"], { "a.yml": wf, "t.json": JSON.stringify({ allowedActions: { kind: "github-owned" } }) });
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/^a\.yml:6:15: action "foo\/bar@v1" is not allowed: this tenant allows GitHub-owned actions only.* \[action-not-allowed\]$/);
    expect(run(["validate", "--config", "t.json", "a.yml"], { "a.yml": wf, "t.json": JSON.stringify({ allowedActions: { kind: "list", patterns: ["foo/*"] } }) }).code).toBe(0);
    const bad = run(["validate", "--config", "t.json", "a.yml"], { "a.yml": wf, "t.json": JSON.stringify({ allowedActions: { kind: "list", patterns: ["foo"] } }) });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('allowedActions: pattern "foo" names no repository');
  });

  it("usage errors exit 2", () => {
    expect(run([], {}).code).toBe(2);
    expect(run(["validate"], {}).code).toBe(2);
    expect(run(["validate", "--nope", "a.yml"], {}).code).toBe(2);
  });

  it("--root validates a repository snapshot across files", () => {
    const files = {
      "repo/.github/workflows/ci.yml": "on: push\njobs:\n  call:\n    uses: ./.github/workflows/lib.yml\n",
      "repo/.github/workflows/lib.yml": "on:\n  workflow_call:\n    inputs:\n      v: {type: string, required: true}\njobs:\n  a:\n    runs-on: l\n    steps: [{run: x}]\n",
    };
    const r = run(["validate", "--root", "repo"], files, [".github/workflows/ci.yml", ".github/workflows/lib.yml", "README.md"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('.github/workflows/ci.yml:4:11: input "v" is required by "./.github/workflows/lib.yml" reusable workflow [missing-input]');
  });

  it("unreadable files are reported as errors", () => expect(run(["validate", "missing.yml"], {}).out).toContain("missing.yml:0:0: cannot read file"));
});
