import { describe, expect, it } from "vitest";
import { parseWorkflow } from "../src/index.js";
import type { TenantContext } from "../src/index.js";

/** `line:col code` of every finding; `wf` builds a workflow around a job body. */
const found = (src: string, ctx?: TenantContext) => parseWorkflow(src, "t.yml", ctx).errors.map((e) => `${e.line}:${e.col} ${e.code}`);
const codes = (src: string, ctx?: TenantContext) => parseWorkflow(src, "t.yml", ctx).errors.map((e) => e.code);
const job = (body: string, on = "push") => `on: ${on}\njobs:\n  build:\n    runs-on: linux\n${body}`;
const steps = (...lines: string[]) => job(`    steps:\n${lines.join("\n")}\n`);

describe("yaml", () => {
  it("reports syntax errors with position", () => expect(found("on: push\njobs: [\n")).toEqual(["3:1 yaml-syntax"]));
  it("rejects merge keys", () => expect(codes("x: &a {k: 1}\non: push\njobs:\n  a:\n    <<: *a\n    runs-on: l\n    steps: [{run: x}]\n")).toContain("yaml-merge-key"));
  it("expands aliases and reports unused anchors", () => {
    const src = "on: push\nenv: &e {A: 1}\njobs:\n  a:\n    runs-on: &unused l\n    env: *e\n    steps: [{run: x}]\n";
    expect(found(src)).toEqual(["5:14 yaml-unused-anchor"]);
  });
  it("rejects recursive aliases", () => expect(codes("on: push\njobs: &j\n  a: *j\n")).toContain("yaml-alias"));
  it("stops alias bombs", () => {
    let s = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 9; i++) s += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
    expect(parseWorkflow(s + "on: push\njobs: {}\n", "b.yml").errors.filter((e) => e.severity === "error").map((e) => e.code)).toEqual(["yaml-too-large"]);
  });
  it("rejects multi-document files", () => expect(codes("on: push\njobs: {}\n---\non: push\n")).toContain("yaml-multi-document"));
  it("reports duplicate keys", () => expect(found(job("    runs-on: x\n    steps: [{run: a}]\n"))).toContain("5:5 duplicate-key"));
  it("reports an empty file", () => expect(found("")).toEqual(["1:1 empty-workflow"]));
});

describe("schema", () => {
  it("unknown keys name the valid choices", () => {
    const e = parseWorkflow(job("    stepz: []\n    steps: [{run: a}]\n"), "t.yml").errors;
    expect(e[0]?.code).toBe("unknown-key");
    expect(e[0]?.message).toContain('expected one of "concurrency"');
  });
  it("wrong types", () => expect(codes(job("    timeout-minutes: soon\n    steps: [{run: a}]\n"))).toEqual(["type-mismatch"]));
  it("non-positive numbers", () => expect(codes(job("    timeout-minutes: 0\n    steps: [{run: a}]\n"))).toEqual(["invalid-number"]));
  it("step needs run or uses", () => expect(codes(steps("      - name: x"))).toEqual(["missing-key"]));
  it("missing runs-on and steps", () => expect(codes("on: push\njobs:\n  a:\n    name: x\n")).toEqual(["missing-key", "missing-key"]));
});

describe("events", () => {
  it("unknown event", () => expect(codes(steps("      - run: a").replace("on: push", "on: pushh"))).toEqual(["unknown-event"]));
  it("GitHub events Gantry does not run", () => expect(codes(steps("      - run: a").replace("on: push", "on: [project]"))).toEqual(["unsupported-event"]));
  it("exclusive filters", () => expect(codes(steps("      - run: a").replace("on: push", "on:\n  push:\n    branches: [a]\n    branches-ignore: [b]"))).toEqual(["exclusive-filters"]));
  it("activity types", () => expect(codes(steps("      - run: a").replace("on: push", "on:\n  pull_request:\n    types: [opend]"))).toEqual(["unknown-activity-type"]));
  it("dispatch inputs", () => {
    const src = steps("      - run: a").replace("on: push", "on:\n  workflow_dispatch:\n    inputs:\n      c:\n        type: choice\n        options: [x]\n        default: y\n      b:\n        type: boolean\n        default: maybe");
    expect(codes(src)).toEqual(["invalid-input-default", "invalid-input-default"]);
  });
});

describe("cron", () => {
  const sched = (c: string) => steps("      - run: a").replace("on: push", `on:\n  schedule:\n    - cron: '${c}'`);
  it.each(["0 * * * *", "*/5 * * * *", "0 9-17/2 * * MON-FRI", "30 4 1,15 JAN,jul *", "0 0 * * 7"])("accepts %s", (c) => expect(codes(sched(c))).toEqual([]));
  it.each(["* * * *", "61 * * * *", "0 0 32 * *", "0 0 * * FOO", "5-1 * * * *", "*/0 * * * *"])("rejects %s", (c) => expect(codes(sched(c))).toEqual(["invalid-cron"]));
  it("rejects schedules more often than every 5 minutes", () => expect(codes(sched("*/2 * * * *"))).toEqual(["cron-too-frequent"]));
});

describe("glob", () => {
  const filt = (k: string, p: string) => steps("      - run: a").replace("on: push", `on:\n  push:\n    ${k}: ['${p}']`);
  it.each([["branches", "release/**"], ["branches", "!main"], ["tags", "v[0-9]+.*"], ["paths", "src/**/*.ts"], ["paths", "!docs/**"]])("accepts %s %s", (k, p) => expect(codes(filt(k, p))).toEqual([]));
  it.each([["branches", "a b"], ["branches", "^main"], ["tags", "v[9-1]"], ["paths", "src/../x"], ["paths", "!"], ["paths", "a[b"], ["branches", "+x"]])("rejects %s %s", (k, p) => expect(codes(filt(k, p))).toEqual(["invalid-glob"]));
});

describe("ids", () => {
  it("invalid job id", () => expect(found("on: push\njobs:\n  2d:\n    runs-on: l\n    steps: [{run: a}]\n")).toEqual(["3:3 invalid-job-id"]));
  it("invalid and duplicate step ids", () =>
    expect(codes(steps("      - id: a b\n        run: x", "      - id: s\n        run: x", "      - id: S\n        run: x"))).toEqual(["invalid-step-id", "duplicate-step-id"]));
});

describe("needs", () => {
  const three = "on: push\njobs:\n  a:\n    needs: c\n    runs-on: l\n    steps: [{run: x}]\n  b:\n    needs: a\n    runs-on: l\n    steps: [{run: x}]\n  c:\n    needs: [b, zz]\n    runs-on: l\n    steps: [{run: x}]\n";
  it("reports unknown needs and the whole cycle", () => {
    const e = parseWorkflow(three, "t.yml").errors;
    expect(e.map((x) => x.code)).toEqual(["needs-cycle", "unknown-needs"]);
    expect(e[0]?.message).toContain('"a" -> "c" -> "b" -> "a"');
  });
});

describe("matrix", () => {
  it("more than 256 cells", () => {
    const axis = (n: string) => `        ${n}: [${Array.from({ length: 17 }, (_, i) => i).join(", ")}]`;
    expect(codes(job(`    strategy:\n      matrix:\n${axis("a")}\n${axis("b")}\n    steps: [{run: x}]\n`))).toEqual(["matrix-too-large"]);
  });
  it("exclude keys and values must exist", () =>
    expect(codes(job("    strategy:\n      matrix:\n        os: [a, b]\n        exclude:\n          - os: c\n          - osx: a\n    steps: [{run: x}]\n"))).toEqual(["matrix-exclude-no-match", "matrix-exclude-unknown-key"]));
  it("duplicate values", () => expect(codes(job("    strategy:\n      matrix:\n        v: [1, 1]\n    steps: [{run: x}]\n"))).toEqual(["matrix-duplicate-value"]));
});

describe("uses", () => {
  it.each(["actions/checkout@v4", "actions/cache@v3.2", "actions/upload-artifact@main", "actions/download-artifact@v4", "./.github/actions/x"])("runs %s", (u) =>
    expect(codes(steps(`      - uses: ${u}\n        with: {path: p, key: k}`)).filter((c) => c !== "unknown-input")).toEqual([]));
  it.each(["actions/setup-node@v4", "codecov/codecov-action@v1", "github/codeql-action/init@v1", "octo/repo/a/b@0123456789abcdef0123456789abcdef01234567", "octo/repo@releases/v1"])("runs the remote action %s", (u) =>
    expect(codes(steps(`      - uses: ${u}`))).toEqual([]));
  it.each(["octo/repo", "octo@v1", "/repo@v1", "octo/@v1", "octo/repo@", "octo/repo//x@v1", "octo/repo/../x@v1", "octo/repo@v1@v2"])("refuses the malformed %s", (u) =>
    expect(codes(steps(`      - uses: "${u}"`))).toEqual(["invalid-uses"]));
  it("refuses a docker action at its uses:, naming the step", () => {
    const errors = parseWorkflow("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - id: build\n        uses: docker://alpine:3\n", "t.yml").errors;
    expect(errors).toEqual([expect.objectContaining({ line: 7, col: 15, code: "unsupported-action", message: expect.stringContaining('step "build" (uses "docker://alpine:3"): docker actions need a pool with a container runtime') })]);
  });
  it("types the outputs of a remote action as any name (no metadata at validation)", () =>
    expect(codes(steps("      - id: s\n        uses: octo/thing@v1\n      - run: echo ${{ steps.s.outputs.anything }} ${{ fromJSON(steps.s.outputs.list)[0] }}"))).toEqual([]));
  it("reusable workflows: local only", () => {
    expect(codes("on: push\njobs:\n  a:\n    uses: ./.github/workflows/x.yml\n")).toEqual([]);
    expect(codes("on: push\njobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@v1\n")).toEqual(["unsupported-reusable-workflow"]);
  });
});

describe("tenant context", () => {
  const src = job("    timeout-minutes: 500\n    steps:\n      - run: echo ${{ secrets.NOPE }} ${{ secrets.OK }}\n");
  it("is not checked without context", () => expect(codes(src)).toEqual([]));
  it("checks labels, secrets and timeout when given", () =>
    expect(codes(src, { poolLabels: ["linux-x64"], secretNames: ["OK"], maxTimeoutMinutes: 120 })).toEqual(["unknown-runner-label", "timeout-too-long", "undefined-secret"]));
});

describe("expressions", () => {
  it("syntax errors point inside the line", () => expect(found(steps("      - run: echo ${{ 1 + 2 }}"))).toEqual(["6:25 expression-syntax"]));
  it("unknown context and function", () => expect(codes(steps("      - run: echo ${{ foo.bar }} ${{ bar() }}"))).toEqual(["unknown-context", "unknown-function"]));
  it("context availability", () => expect(codes(job("    env:\n      A: ${{ steps.x.outputs.y }}\n    steps: [{run: x}]\n"))).toEqual(["context-not-allowed"]));
  it("status functions only in if", () => expect(codes(steps("      - run: echo ${{ success() }}"))).toEqual(["function-not-allowed"]));
  it("needs not depended on", () => expect(codes("on: push\njobs:\n  a:\n    runs-on: l\n    outputs: {o: x}\n    steps: [{run: x}]\n  b:\n    runs-on: l\n    steps:\n      - run: echo ${{ needs.a.outputs.o }}\n")).toEqual(["needs-not-depended"]));
  it("outputs of needed jobs are typed", () => expect(codes("on: push\njobs:\n  a:\n    runs-on: l\n    outputs: {o: x}\n    steps: [{run: x}]\n  b:\n    needs: a\n    runs-on: l\n    steps:\n      - run: echo ${{ needs.a.outputs.o }} ${{ needs.a.outputs.p }}\n")).toEqual(["unknown-property"]));
  it("unknown github property", () => expect(codes(steps("      - run: echo ${{ github.shaa }}"))).toEqual(["unknown-property"]));
  it("matrix keys and later steps are warnings", () => {
    const e = parseWorkflow(steps("      - run: echo ${{ matrix.x }} ${{ steps.later.outputs.a }}", "      - id: later\n        run: x"), "t.yml").errors;
    expect(e.map((x) => `${x.code}/${x.severity}`)).toEqual(["unknown-matrix-key/warning", "unknown-step-ref/warning"]);
  });
  it("comparisons of incompatible types", () => expect(codes(steps("      - if: ${{ fromJSON('[]') == 1 }}\n        run: x"))).toEqual(["invalid-comparison"]));
  it("format placeholders and broken JSON", () => expect(codes(steps("      - run: echo ${{ format('{0}{1}', 1) }} ${{ fromJSON('{') }}"))).toEqual(["format-placeholder", "invalid-json"]));
});

describe("script injection", () => {
  const src = steps("      - run: echo \"${{ github.event.pull_request.title }}\" ${{ github.head_ref }}");
  it("warns by default", () => expect(parseWorkflow(src, "t.yml").errors.map((e) => e.severity)).toEqual(["warning", "warning"]));
  it("is an error when the tenant says so", () => expect(parseWorkflow(src, "t.yml", { injectionIsError: true }).errors.map((e) => e.severity)).toEqual(["error", "error"]));
  it("ignores trusted contexts and env indirection", () => expect(codes(steps("      - run: echo ${{ github.sha }} $TITLE\n        env:\n          TITLE: ${{ github.event.pull_request.title }}"))).toEqual([]));
});

describe("native actions", () => {
  it("required inputs and unknown inputs", () => {
    const e = parseWorkflow(steps("      - uses: actions/cache@v4\n        with:\n          path: x\n          keyy: y"), "t.yml").errors;
    expect(e.map((x) => `${x.code}/${x.severity}`)).toEqual(["missing-input/error", "unknown-input/warning"]);
  });
  it("types steps.<id>.outputs of native actions", () => {
    const src = steps("      - id: c\n        uses: actions/cache@v4\n        with: {path: x, key: y}", "      - run: echo ${{ steps.c.outputs.cache-hit }} ${{ steps.c.outputs.cache_hit }}");
    expect(parseWorkflow(src, "t.yml").errors.map((x) => `${x.code}/${x.severity}`)).toEqual(["unknown-property/warning"]);
  });
});

describe("if-cond", () => {
  it("a condition mixing ${{ }} and text is always true", () => expect(codes(steps("      - if: ${{ true }} && false\n        run: x"))).toEqual(["if-always-true"]));
  it("bare and single ${{ }} conditions are fine", () => expect(codes(steps("      - if: success() && github.ref == 'x'\n        run: x", "      - if: ${{ always() }}\n        run: y"))).toEqual([]));
});

describe("permissions", () => {
  it.each([
    ["read-all", []],
    ["{contents: read, id-token: write}", []],
    ["{id-token: read}", ["invalid-permissions"]],
    ["{models: write}", ["invalid-permissions"]],
    ["{nope: read}", ["invalid-permissions"]],
    ["sometimes", ["invalid-permissions"]],
    ["", ["invalid-permissions"]],
  ])("permissions: %s", (p, want) => expect(codes(job(`    permissions: ${p}\n    steps: [{run: x}]\n`))).toEqual(want));
});

describe("background and parallel steps", () => {
  it("are recognized and rejected as unsupported", () =>
    expect(codes(steps("      - id: s\n        run: x\n        background: true", "      - wait: s", "      - run: y"))).toEqual(["unsupported-feature", "unsupported-feature"]));
});

describe("workflow_call input defaults", () => {
  const call = (inputs: string) => `on:\n  workflow_call:\n    inputs:\n${inputs}\njobs:\n  a:\n    runs-on: l\n    steps: [{run: x}]\n`;
  it("see only earlier inputs", () =>
    expect(codes(call("      a: {type: string, default: '${{ inputs.b }}'}\n      b: {type: string, default: '${{ inputs.a }}'}"))).toEqual(["unknown-input"]));
  it("must match the input type", () =>
    expect(codes(call("      n: {type: number, default: '${{ github.ref }}'}\n      f: {type: boolean, default: '${{ github.ref == 1 }}'}"))).toEqual(["expression-type"]));
});

describe("function arguments", () => {
  it("objects and arrays are not strings", () =>
    expect(codes(steps("      - run: echo ${{ startsWith(github.event, 'x') }} ${{ contains(github.event, 'x') }} ${{ contains('abc', 'b') }}"))).toEqual(["function-argument", "function-argument"]));
  it("github.event is an object", () => expect(codes(steps("      - if: github.event == 'push'\n        run: x"))).toEqual(["invalid-comparison"]));
});

describe("more expression typing", () => {
  it("computed object keys must be strings", () =>
    expect(codes("on:\n  workflow_dispatch:\n    inputs:\n      v: {type: boolean}\njobs:\n  a:\n    runs-on: l\n    steps:\n      - run: echo ${{ env[inputs.v] }}\n")).toEqual(["expression-type"]));
  it("a workflow only called by others gets exactly the secrets it declares", () => {
    const wf = (secrets: string) => `on:\n  workflow_call:\n${secrets}jobs:\n  a:\n    runs-on: l\n    steps:\n      - run: echo \${{ secrets.T }} \${{ secrets.GITHUB_TOKEN }}\n`;
    expect(codes(wf("    secrets:\n      T: {required: true}\n"))).toEqual([]);
    expect(codes(wf("    secrets:\n      U: {required: true}\n"))).toEqual(["undefined-secret"]);
    expect(codes(wf(""))).toEqual([]);
  });
  it("matrix rows built from literal expressions are typed", () =>
    expect(codes(job("    strategy:\n      matrix:\n        include:\n          - o: ${{ fromJSON('{\"a\":1}') }}\n    steps:\n      - run: echo ${{ matrix.o }} ${{ matrix.o.a }}\n"))).toEqual(["expression-object-in-template"]));
});
