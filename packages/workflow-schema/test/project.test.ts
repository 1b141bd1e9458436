import { describe, expect, it } from "vitest";
import { compilePlan, validateProject } from "../src/index.js";

const caller = `on: push
jobs:
  call:
    uses: ./.github/workflows/reusable.yml
    with:
      name: x
      count: "many"
      extra: 1
    secrets:
      nope: \${{ secrets.A }}
  after:
    needs: call
    runs-on: linux-x64
    steps:
      - run: echo \${{ needs.call.outputs.version }} \${{ needs.call.outputs.tag }}
      - uses: ./actions/hello
        with:
          whom: you
          color: red
      - uses: ./actions/missing
      - uses: ./actions/js
`;
const reusable = `on:
  workflow_call:
    inputs:
      name: {type: string, required: true}
      count: {type: number}
      level: {type: string, required: true}
    secrets:
      token: {required: true}
    outputs:
      version:
        value: \${{ jobs.build.outputs.v }}
jobs:
  build:
    runs-on: linux-x64
    outputs: {v: "1"}
    steps: [{run: echo}]
`;
const hello = `name: hello
inputs:
  whom: {required: true}
  greeting: {required: true}
runs:
  using: composite
  steps:
    - run: echo hi
      shell: bash
`;
const js = "name: js\nruns:\n  using: node20\n  main: index.js\n";

describe("validateProject", () => {
  const { errors, workflows } = validateProject({
    ".github/workflows/ci.yml": caller,
    ".github/workflows/reusable.yml": reusable,
    "actions/hello/action.yml": hello,
    "actions/js/action.yaml": js,
  });

  it("parses every workflow", () => expect(Object.keys(workflows).sort()).toEqual([".github/workflows/ci.yml", ".github/workflows/reusable.yml"]));

  it("checks reusable workflow calls and local actions across files", () => {
    expect(errors.map((e) => `${e.file}:${e.line} ${e.code}`)).toEqual([
      ".github/workflows/ci.yml:4 missing-input",
      ".github/workflows/ci.yml:4 missing-secret",
      ".github/workflows/ci.yml:7 input-type",
      ".github/workflows/ci.yml:8 unknown-input",
      ".github/workflows/ci.yml:10 unknown-secret",
      ".github/workflows/ci.yml:15 unknown-property",
      ".github/workflows/ci.yml:16 missing-input",
      ".github/workflows/ci.yml:19 unknown-input",
      ".github/workflows/ci.yml:20 local-action-not-found",
      ".github/workflows/ci.yml:21 unsupported-action",
    ]);
    expect(errors.find((e) => e.code === "unknown-property")?.message).toContain('property "tag" is not defined in object type {version: string}');
  });

  it("reports a missing reusable workflow and one without workflow_call", () => {
    const r = validateProject({
      ".gantry/workflows/a.yml": "on: push\njobs:\n  x:\n    uses: ./.gantry/workflows/nope.yml\n  y:\n    uses: ./.gantry/workflows/b.yml\n",
      ".gantry/workflows/b.yml": "on: push\njobs:\n  z:\n    runs-on: l\n    steps: [{run: x}]\n",
    });
    expect(r.errors.map((e) => e.code)).toEqual(["reusable-workflow-not-found", "reusable-workflow-not-callable"]);
  });

  it("secrets: inherit satisfies required secrets", () => {
    const r = validateProject({
      ".github/workflows/a.yml": "on: push\njobs:\n  x:\n    uses: ./.github/workflows/r.yml\n    secrets: inherit\n",
      ".github/workflows/r.yml": "on:\n  workflow_call:\n    secrets:\n      t: {required: true}\njobs:\n  z:\n    runs-on: l\n    steps: [{run: x}]\n",
    });
    expect(r.errors).toEqual([]);
  });

  it("validated workflows compile with compilePlan", () => {
    const r = validateProject({ ".gantry/workflows/a.yml": "on: push\njobs:\n  x:\n    runs-on: l\n    steps: [{run: x}]\n" });
    const wf = r.workflows[".gantry/workflows/a.yml"];
    if (!wf) throw new Error("not parsed");
    expect(compilePlan(wf).jobs.map((j) => j.key)).toEqual(["x"]);
  });

  it("types steps.<id>.outputs of local composite actions", () => {
    const r = validateProject({
      ".github/workflows/a.yml": "on: push\njobs:\n  x:\n    runs-on: l\n    steps:\n      - id: h\n        uses: ./act\n      - run: echo ${{ steps.h.outputs.greeting }} ${{ steps.h.outputs.nope }}\n",
      "act/action.yml": "name: a\noutputs:\n  greeting: {value: hi}\nruns:\n  using: composite\n  steps: [{run: echo, shell: bash}]\n",
    });
    expect(r.errors.map((e) => `${e.line}:${e.code}:${e.severity}`)).toEqual(["8:unknown-property:warning"]);
  });
});
