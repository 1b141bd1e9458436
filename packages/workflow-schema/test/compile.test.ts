import { describe, expect, it } from "vitest";
import { cellKey, compileWorkflow, expandDynamicJob, expandMatrix, matchPatterns, matchTrigger, parseWorkflow } from "../src/index.js";
import type { TriggerEvent } from "../src/index.js";

describe("matrix expansion (GitHub docs semantics)", () => {
  it("cross product in key order", () => {
    const cells = expandMatrix([{ name: "os", values: ["linux", "mac"] }, { name: "node", values: [18, 20] }], [], []);
    expect(cells.map((c) => cellKey("build", c))).toEqual(["build (linux, 18)", "build (linux, 20)", "build (mac, 18)", "build (mac, 20)"]);
  });

  it("docs example: include extends matching cells and adds new ones", () => {
    // https://docs.github.com/en/actions/using-jobs/using-a-matrix-for-your-jobs#example-expanding-configurations
    const cells = expandMatrix(
      [{ name: "fruit", values: ["apple", "pear"] }, { name: "animal", values: ["cat", "dog"] }],
      [{ color: "green" }, { color: "pink", animal: "cat" }, { fruit: "apple", shape: "circle" }, { fruit: "banana" }, { fruit: "banana", animal: "cat" }],
      [],
    );
    expect(cells).toEqual([
      { fruit: "apple", animal: "cat", color: "pink", shape: "circle" },
      { fruit: "apple", animal: "dog", color: "green", shape: "circle" },
      { fruit: "pear", animal: "cat", color: "pink" },
      { fruit: "pear", animal: "dog", color: "green" },
      { fruit: "banana" },
      { fruit: "banana", animal: "cat" },
    ]);
  });

  it("exclude removes partial matches before include", () => {
    const cells = expandMatrix(
      [{ name: "os", values: ["macos", "windows"] }, { name: "version", values: [12, 14, 16] }, { name: "env", values: ["staging", "production"] }],
      [],
      [{ os: "macos", version: 12, env: "production" }, { os: "windows", version: 16 }],
    );
    expect(cells).toHaveLength(12 - 1 - 2);
    expect(cells.some((c) => c.os === "windows" && c.version === 16)).toBe(false);
  });

  it("exclude matches an object subset", () => {
    const cells = expandMatrix([{ name: "cfg", values: [{ os: "a", arch: "x" }, { os: "b", arch: "y" }] }], [], [{ cfg: { os: "a" } }]);
    expect(cells).toEqual([{ cfg: { os: "b", arch: "y" } }]);
  });

  it("include alone makes the cells", () => expect(expandMatrix([], [{ a: 1 }, { a: 2 }], [])).toEqual([{ a: 1 }, { a: 2 }]));
});

const WF = `name: ci
on:
  push:
    branches: [main]
concurrency: ci-\${{ github.ref }}
jobs:
  build:
    runs-on: \${{ matrix.os }}
    timeout-minutes: 30
    strategy:
      fail-fast: false
      max-parallel: 2
      matrix:
        os: [linux-x64, arm64]
        node: [18, 20]
    env:
      NODE: \${{ matrix.node }}
    steps:
      - uses: actions/checkout@v4
      - run: npm test
        shell: bash
  deploy:
    needs: build
    if: github.ref == 'refs/heads/main'
    runs-on: linux-x64
    environment: production
    steps:
      - run: ./deploy
`;

describe("compileWorkflow", () => {
  const { plan, errors } = compileWorkflow(WF, "ci.yml");

  it("compiles without errors", () => expect(errors).toEqual([]));

  it("expands the matrix with stable keys and substitutes matrix values", () => {
    expect(plan?.jobs.map((j) => j.key)).toEqual([
      "build (linux-x64, 18)", "build (linux-x64, 20)", "build (arm64, 18)", "build (arm64, 20)", "deploy",
    ]);
    const b = plan?.jobs[0];
    expect(b?.runsOn).toEqual(["linux-x64"]);
    expect(b?.env).toEqual({ NODE: "18" });
    expect(b?.failFast).toBe(false);
    expect(b?.maxParallel).toBe(2);
    expect(b?.timeoutMinutes).toBe(30);
    expect(b?.steps[1]).toMatchObject({ run: "npm test", shell: "bash", if: "success()" });
  });

  it("needs on a matrix job means every cell", () => {
    const d = plan?.jobs.find((j) => j.jobId === "deploy");
    expect(d?.needs).toHaveLength(4);
    expect(d?.environment).toEqual({ name: "production" });
    expect(d?.timeoutMinutes).toBe(360);
    expect(d?.if).toBe("github.ref == 'refs/heads/main'");
  });

  it("is JSON-serializable and deterministic", () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(compileWorkflow(WF, "ci.yml").plan).toEqual(plan);
  });

  it("gives no plan when there are errors", () => {
    const r = compileWorkflow(WF.replace("needs: build", "needs: buidl"), "ci.yml");
    expect(r.plan).toBeUndefined();
    expect(r.errors.map((e) => e.code)).toEqual(["unknown-needs"]);
  });

  it("compiles a 256-cell matrix", () => {
    const vals = Array.from({ length: 16 }, (_, i) => i).join(", ");
    const src = `on: push\njobs:\n  t:\n    runs-on: l\n    strategy:\n      matrix:\n        a: [${vals}]\n        b: [${vals}]\n    steps: [{run: x}]\n`;
    expect(compileWorkflow(src, "m.yml").plan?.jobs).toHaveLength(256);
  });
});

describe("glob patterns", () => {
  it.each([
    [["main"], "main", true], [["feature/*"], "feature/a", true], [["feature/*"], "feature/a/b", false],
    [["feature/**"], "feature/a/b", true], [["v1.?"], "v1.", true], [["v[12].0"], "v2.0", true], [["v[12].0"], "v3.0", false],
    [["ab+c"], "abbbc", true], [["**", "!main"], "main", false], [["**", "!rel/**", "rel/keep"], "rel/keep", true],
    [["!main"], "dev", false], [["**.js"], "a/b/c.js", true], [["*.js"], "a/b.js", false], [["docs/**"], "docs/x/y.md", true],
  ])("%j matches %s → %s", (pats, v, want) => expect(matchPatterns(pats, v)).toBe(want));
});

describe("matchTrigger", () => {
  const wf = (on: string) => {
    const r = parseWorkflow(`on:\n${on}\njobs:\n  a:\n    runs-on: l\n    steps: [{run: x}]\n`, "w.yml");
    if (!r.workflow) throw new Error("parse failed");
    return r.workflow;
  };
  const cases: [string, TriggerEvent, boolean][] = [
    ["  push:", { name: "push", ref: "refs/heads/any" }, true],
    ["  push:\n    branches: [main]", { name: "push", branch: "main" }, true],
    ["  push:\n    branches: [main]", { name: "push", branch: "dev" }, false],
    ["  push:\n    branches: [main]", { name: "push", tag: "v1" }, false],
    ["  push:\n    tags: ['v*']", { name: "push", ref: "refs/tags/v1.2" }, true],
    ["  push:\n    tags: ['v*']", { name: "push", branch: "main" }, false],
    ["  push:\n    branches-ignore: ['dependabot/**']", { name: "push", branch: "dependabot/npm/x" }, false],
    ["  push:\n    paths: ['src/**']", { name: "push", branch: "main", changedPaths: ["docs/a.md", "src/x.ts"] }, true],
    ["  push:\n    paths: ['src/**', '!src/gen/**']", { name: "push", branch: "main", changedPaths: ["src/gen/a.ts"] }, false],
    ["  push:\n    paths-ignore: ['docs/**']", { name: "push", branch: "main", changedPaths: ["docs/a.md"] }, false],
    ["  push:\n    paths-ignore: ['docs/**']", { name: "push", branch: "main", changedPaths: ["docs/a.md", "x.c"] }, true],
    ["  push:\n    paths: ['src/**']", { name: "push", tag: "v1", changedPaths: ["docs/a"] }, true],
    ["  pull_request:\n    branches: [main]", { name: "pull_request", baseBranch: "main", action: "opened" }, true],
    ["  pull_request:", { name: "pull_request", baseBranch: "main", action: "closed" }, false],
    ["  pull_request:\n    types: [closed]", { name: "pull_request", baseBranch: "main", action: "closed" }, true],
    ["  workflow_dispatch:", { name: "workflow_dispatch" }, true],
    ["  schedule:\n    - cron: '0 0 * * *'", { name: "schedule", cron: "0 0 * * *" }, true],
    ["  schedule:\n    - cron: '0 0 * * *'", { name: "push", branch: "main" }, false],
    // every activity type runs unless `types` narrows them (pull_request* excepted)
    ["  release:", { name: "release", action: "deleted", tag: "v1" }, true],
    ["  release:\n    types: [published]", { name: "release", action: "published", tag: "v1" }, true],
    ["  release:\n    types: [published]", { name: "release", action: "created", tag: "v1" }, false],
    ["  issues:\n    types: [opened, labeled]", { name: "issues", action: "labeled" }, true],
    ["  issues:\n    types: [opened, labeled]", { name: "issues", action: "closed" }, false],
    ["  issue_comment:", { name: "issue_comment", action: "edited" }, true],
    ["  issue_comment:\n    types: [created]", { name: "issue_comment", action: "deleted" }, false],
    ["  label:\n    types: [created]", { name: "label", action: "created" }, true],
    ["  create:", { name: "create", ref: "refs/tags/v2" }, true],
    ["  delete:", { name: "create", ref: "refs/tags/v2" }, false],
    ["  status:", { name: "status" }, true],
    ["  gollum:", { name: "gollum" }, true],
    ["  check_suite:\n    types: [completed]", { name: "check_suite", action: "completed" }, true],
    ["  check_run:\n    types: [rerequested]", { name: "check_run", action: "completed" }, false],
    ["  pull_request_review:\n    types: [submitted]\n    branches: [main]", { name: "pull_request_review", action: "submitted", baseBranch: "main" }, true],
    ["  pull_request_review:\n    types: [submitted]\n    branches: [main]", { name: "pull_request_review", action: "submitted", baseBranch: "dev" }, false],
    ["  pull_request_review:\n    types: [submitted]", { name: "pull_request_review", action: "dismissed", baseBranch: "main" }, false],
    ["  pull_request_review_comment:\n    branches-ignore: ['wip/**']", { name: "pull_request_review_comment", action: "created", baseBranch: "wip/x" }, false],
    ["  pull_request_review_comment:", { name: "pull_request_review_comment", action: "deleted", baseBranch: "wip/x" }, true],
    ["  repository_dispatch:\n    types: [deploy]", { name: "repository_dispatch", action: "deploy" }, true],
    ["  repository_dispatch:\n    types: [deploy]", { name: "repository_dispatch", action: "test" }, false],
    ["  repository_dispatch:", { name: "repository_dispatch", action: "anything/at all" }, true],
    ["  workflow_run:\n    workflows: [CI]", { name: "workflow_run", workflow: "CI", action: "requested", branch: "dev" }, true],
    ["  workflow_run:\n    workflows: [CI]", { name: "workflow_run", workflow: "Deploy", action: "completed", branch: "main" }, false],
    ["  workflow_run:\n    workflows: [CI]", { name: "workflow_run", action: "completed", branch: "main" }, false],
    ["  workflow_run:\n    workflows: [CI, Lint]\n    types: [completed]", { name: "workflow_run", workflow: "Lint", action: "completed", branch: "main" }, true],
    ["  workflow_run:\n    workflows: [CI]\n    types: [completed]", { name: "workflow_run", workflow: "CI", action: "in_progress", branch: "main" }, false],
    ["  workflow_run:\n    workflows: [CI]\n    branches: ['release/**']", { name: "workflow_run", workflow: "CI", action: "completed", branch: "release/1.0" }, true],
    ["  workflow_run:\n    workflows: [CI]\n    branches-ignore: [main]", { name: "workflow_run", workflow: "CI", action: "completed", ref: "refs/heads/main" }, false],
    ["  merge_group:\n    branches: [main]", { name: "merge_group", action: "checks_requested", baseBranch: "main" }, true],
  ];
  it.each(cases)("%s / %j → %s", (on, ev, want) => {
    const w = wf(on);
    expect(matchTrigger(w, ev)).toBe(want);
    const plan = compileWorkflow(`on:\n${on}\njobs:\n  a:\n    runs-on: l\n    steps: [{run: x}]\n`, "w.yml").plan;
    if (plan) expect(matchTrigger(plan, ev)).toBe(want);
  });
});

describe("conditions in the plan", () => {
  it("unwraps a single ${{ }} and defaults to success()", () => {
    const src = "on: push\njobs:\n  a:\n    if: ${{ github.ref == 'refs/heads/main' }}\n    runs-on: l\n    steps:\n      - run: x\n      - if: ${{ failure() }}\n        run: y\n      - if: always()\n        run: z\n";
    const plan = compileWorkflow(src, "c.yml").plan;
    expect(plan?.jobs[0]?.if).toBe("github.ref == 'refs/heads/main'");
    expect(plan?.jobs[0]?.steps.map((s) => s.if)).toEqual(["success()", "failure()", "always()"]);
  });
});

describe("dynamic matrices (expanded by the worker)", () => {
  const src = `on: push
jobs:
  setup:
    runs-on: l
    outputs:
      m: \${{ steps.s.outputs.m }}
    steps:
      - id: s
        run: echo m=... >> "$GITHUB_OUTPUT"
  test:
    needs: setup
    runs-on: \${{ matrix.os }}
    strategy:
      matrix: \${{ fromJSON(needs.setup.outputs.m) }}
    steps:
      - run: echo \${{ matrix.v }}
        env:
          V: \${{ matrix.v }}
  report:
    needs: test
    runs-on: l
    steps: [{run: x}]
`;
  const plan = compileWorkflow(src, "d.yml").plan;
  if (!plan) throw new Error("no plan");
  const needs = (m: unknown) => ({ needs: { setup: { outputs: { m: JSON.stringify(m) }, result: "success" } } });

  it("keeps one placeholder job with the matrix template", () => {
    expect(plan.jobs.map((j) => j.key)).toEqual(["setup", "test", "report"]);
    expect(plan.jobs[1]?.dynamicMatrix).toBe("${{ fromJSON(needs.setup.outputs.m) }}");
  });

  it("expands with GitHub semantics and rewires dependents", () => {
    const r = expandDynamicJob(plan, "test", needs({ os: ["linux-x64", "arm64"], v: [1, 2], exclude: [{ os: "arm64", v: 2 }], include: [{ v: 3, os: "gpu" }] }));
    if (!r.ok) throw new Error(r.error);
    expect(r.keys).toEqual(["test (linux-x64, 1)", "test (linux-x64, 2)", "test (arm64, 1)", "test (gpu, 3)"]);
    const first = r.plan.jobs.find((j) => j.key === "test (linux-x64, 1)");
    expect(first?.runsOn).toEqual(["linux-x64"]);
    expect(first?.steps[0]?.env).toEqual({ V: "1" });
    expect(first?.dynamicMatrix).toBeUndefined();
    expect(r.plan.jobs.find((j) => j.key === "report")?.needs).toEqual(r.keys);
  });

  it("returns errors instead of throwing", () => {
    const big = { a: Array.from({ length: 20 }, (_, i) => i), b: Array.from({ length: 20 }, (_, i) => i) };
    expect(expandDynamicJob(plan, "test", needs(big))).toMatchObject({ ok: false, error: expect.stringContaining("at most 256") });
    expect(expandDynamicJob(plan, "test", needs([1, 2]))).toMatchObject({ ok: false });
    expect(expandDynamicJob(plan, "test", { needs: { setup: { outputs: { m: "{bad" } } } })).toMatchObject({ ok: false });
    expect(expandDynamicJob(plan, "nope", {})).toMatchObject({ ok: false });
    expect(expandDynamicJob(plan, "setup", {})).toMatchObject({ ok: true, keys: ["setup"] });
  });

  it("resolves matrices whose values are expressions", () => {
    const p = compileWorkflow("on:\n  workflow_dispatch:\n    inputs:\n      vs: {type: string}\njobs:\n  t:\n    runs-on: l\n    strategy:\n      matrix:\n        v: ${{ fromJSON(inputs.vs) }}\n        os: [a]\n    steps:\n      - run: echo ${{ matrix.v }}\n", "x.yml").plan;
    if (!p) throw new Error("no plan");
    const r = expandDynamicJob(p, "t", { inputs: { vs: "[1,2]" } });
    expect(r.ok && r.keys).toEqual(["t (1, a)", "t (2, a)"]);
  });
});

describe("substituteMatrix", () => {
  it("replaces only matrix-only pieces, string literals included", async () => {
    const { substituteMatrix } = await import("../src/compile/compile.js");
    const cell = { os: "linux", v: 20, o: { a: 1 } };
    expect(substituteMatrix("${{ matrix.os }}-${{ matrix.v }}", cell)).toBe("linux-20");
    expect(substituteMatrix("${{ format('{0}}}', matrix.os) }}", cell)).toBe("linux}");
    expect(substituteMatrix("${{ matrix.o }}", cell)).toBe('{"a":1}');
    expect(substituteMatrix("${{ github.ref }}-${{ matrix.os }}", cell)).toBe("${{ github.ref }}-linux");
    expect(substituteMatrix("${{ matrix.os == 'linux' && success() }}", cell)).toBe("${{ matrix.os == 'linux' && success() }}");
    expect(substituteMatrix("${{ 'matrix.os' }}", cell)).toBe("${{ 'matrix.os' }}");
  });
});

describe("matrices from literal expressions", () => {
  it("fromJSON of a literal is expanded at compile time", () => {
    const src = "on: push\njobs:\n  t:\n    runs-on: l\n    strategy:\n      matrix: ${{ fromJSON('{\"os\":[\"a\",\"b\"],\"include\":[{\"os\":\"c\"}]}') }}\n    steps: [{run: x}]\n";
    const r = compileWorkflow(src, "s.yml");
    expect(r.errors).toEqual([]);
    expect(r.plan?.jobs.map((j) => j.key)).toEqual(["t (a)", "t (b)", "t (c)"]);
    expect(r.plan?.jobs[0]?.dynamicMatrix).toBeUndefined();
  });
  it("and checked against the limit", () => {
    const big = JSON.stringify({ a: Array.from({ length: 20 }, (_, i) => i), b: Array.from({ length: 20 }, (_, i) => i) });
    const src = `on: push\njobs:\n  t:\n    runs-on: l\n    strategy:\n      matrix: \${{ fromJSON('${big}') }}\n    steps: [{run: x}]\n`;
    expect(parseWorkflow(src, "s.yml").errors.map((e) => e.code)).toEqual(["invalid-matrix"]);
  });
});
