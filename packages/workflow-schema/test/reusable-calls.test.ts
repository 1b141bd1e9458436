import { describe, expect, it } from "vitest";
import { callOutputs, compileWorkflow, compileWorkflowWithCalls, expandDynamicJob, expandReusableCall, type WorkflowPlan } from "../src/index";

const CALLER = `on: push
env:
  FROM_CALLER: caller
jobs:
  prepare:
    runs-on: linux
    outputs:
      name: \${{ steps.n.outputs.name }}
    steps:
      - id: n
        run: echo "name=world" >> "$GITHUB_OUTPUT"
  call:
    needs: prepare
    uses: ./.gantry/lib/greet.yml
    with:
      who: \${{ needs.prepare.outputs.name }}
      loud: \${{ true }}
      times: 2
    secrets:
      token: \${{ secrets.DEPLOY_TOKEN }}
  after:
    needs: call
    runs-on: linux
    steps:
      - run: echo "\${{ needs.call.outputs.greeting }}"
`;

const GREET = `on:
  workflow_call:
    inputs:
      who: {type: string, required: true}
      loud: {type: boolean, required: false}
      times: {type: number, required: true}
      suffix: {type: string, required: false, default: "!"}
      level:
        type: number
        default: \${{ 1 }}
      unset: {type: boolean, required: false}
    secrets:
      token: {required: true}
    outputs:
      greeting:
        value: \${{ jobs.say.outputs.text }}
env:
  FROM_CALLEE: callee
jobs:
  say:
    runs-on: linux
    env:
      OWN: own
    outputs:
      text: \${{ steps.s.outputs.text }}
    steps:
      - id: s
        run: echo "text=hello \${{ inputs.who }}" >> "$GITHUB_OUTPUT"
  check:
    needs: say
    runs-on: linux
    steps:
      - run: test -n "\${{ secrets.token }}"
`;

const reader = (files: Record<string, string>) => {
  const asked: string[] = [];
  return { asked, read: async (path: string) => (asked.push(path), files[path]) };
};

describe("compileWorkflowWithCalls", () => {
  it("reads the called workflow at the commit and carries it compiled in the plan", async () => {
    const files = reader({ ".gantry/lib/greet.yml": GREET });
    const { plan, errors } = await compileWorkflowWithCalls(CALLER, ".gantry/workflows/ci.yml", {}, files.read);
    expect(errors).toEqual([]);
    expect(files.asked).toEqual([".gantry/lib/greet.yml"]);
    expect(plan?.jobs.find((job) => job.key === "call")).toMatchObject({ uses: "./.gantry/lib/greet.yml", with: { who: "${{ needs.prepare.outputs.name }}" }, secrets: { token: "${{ secrets.DEPLOY_TOKEN }}" } });
    expect(Object.keys(plan?.calls ?? {})).toEqual([".gantry/lib/greet.yml"]);
    expect(plan?.calls?.[".gantry/lib/greet.yml"]?.triggers[0]?.outputs).toEqual([{ name: "greeting", value: "${{ jobs.say.outputs.text }}" }]);
  });

  it("follows calls transitively and reads each file once", async () => {
    const middle = "on: workflow_call\njobs:\n  inner:\n    uses: ./.gantry/lib/leaf.yml\n  again:\n    uses: ./.gantry/lib/leaf.yml\n";
    const leaf = "on: workflow_call\njobs:\n  work:\n    runs-on: linux\n    steps: [{run: make}]\n";
    const files = reader({ ".gantry/lib/middle.yml": middle, ".gantry/lib/leaf.yml": leaf });
    const { plan, errors } = await compileWorkflowWithCalls("on: push\njobs:\n  top:\n    uses: ./.gantry/lib/middle.yml\n", ".gantry/workflows/ci.yml", {}, files.read);
    expect(errors).toEqual([]);
    expect(files.asked).toEqual([".gantry/lib/middle.yml", ".gantry/lib/leaf.yml"]);
    expect(Object.keys(plan?.calls ?? {}).sort()).toEqual([".gantry/lib/leaf.yml", ".gantry/lib/middle.yml"]);
  });

  it("reports a called file that does not exist at its uses:", async () => {
    const { plan, errors } = await compileWorkflowWithCalls(CALLER, ".gantry/workflows/ci.yml", {}, reader({}).read);
    expect(plan).toBeUndefined();
    expect(errors).toContainEqual(expect.objectContaining({ file: ".gantry/workflows/ci.yml", line: 14, col: 11, code: "reusable-workflow-not-found" }));
  });

  it("reports an error inside the called file on that file, and a wrong input on the caller", async () => {
    const broken = GREET.replace("runs-on: linux\n    env:", "runs-on: linux\n    bogus: 1\n    env:");
    const { plan, errors } = await compileWorkflowWithCalls(CALLER.replace("times: 2", "times: lots"), ".gantry/workflows/ci.yml", {}, reader({ ".gantry/lib/greet.yml": broken }).read);
    expect(plan).toBeUndefined();
    expect(errors.map((error) => [error.file, error.code])).toEqual(expect.arrayContaining([[".gantry/lib/greet.yml", "unknown-key"], [".gantry/workflows/ci.yml", "input-type"]]));
  });

  it("reports a called file that is not even YAML on that file", async () => {
    const { plan, errors } = await compileWorkflowWithCalls(CALLER, ".gantry/workflows/ci.yml", {}, reader({ ".gantry/lib/greet.yml": "on: {workflow_call: [\n" }).read);
    expect(plan).toBeUndefined();
    expect(errors.filter((error) => error.severity === "error").map((error) => error.file)).toContain(".gantry/lib/greet.yml");
  });

  it("refuses calls that come back to a workflow on their own path", async () => {
    const a = "on: workflow_call\njobs:\n  b:\n    uses: ./.gantry/lib/b.yml\n";
    const b = "on: workflow_call\njobs:\n  a:\n    uses: ./.gantry/lib/a.yml\n";
    const { plan, errors } = await compileWorkflowWithCalls("on: push\njobs:\n  go:\n    uses: ./.gantry/lib/a.yml\n", ".gantry/workflows/ci.yml", {}, reader({ ".gantry/lib/a.yml": a, ".gantry/lib/b.yml": b }).read);
    expect(plan).toBeUndefined();
    expect(errors).toContainEqual(
      expect.objectContaining({ file: ".gantry/lib/b.yml", line: 4, col: 11, code: "reusable-workflow-cycle", message: "reusable workflow calls form a cycle: .gantry/lib/a.yml → .gantry/lib/b.yml → .gantry/lib/a.yml" }),
    );
  });

  it("refuses concurrency on a calling job rather than ignoring it", async () => {
    const source = CALLER.replace("    needs: prepare\n    uses:", "    needs: prepare\n    concurrency: deploy\n    uses:");
    const { errors } = await compileWorkflowWithCalls(source, ".gantry/workflows/ci.yml", {}, reader({ ".gantry/lib/greet.yml": GREET }).read);
    expect(errors).toContainEqual(expect.objectContaining({ code: "unsupported-call-concurrency", line: 14, col: 18 }));
  });

  it("leaves local actions to the run (read from the workspace when the step runs; a step may even write them)", async () => {
    const source = "on: push\njobs:\n  a:\n    runs-on: linux\n    steps:\n      - run: cp templates/action.yml action.yml\n      - uses: ./\n      - uses: ./tools/lint\n";
    const files = reader({});
    const { plan, errors } = await compileWorkflowWithCalls(source, ".gantry/workflows/ci.yml", {}, files.read);
    expect(errors).toEqual([]);
    expect(plan?.jobs[0]?.steps.map((step) => step.uses)).toEqual([undefined, "./", "./tools/lint"]);
    expect(files.asked).toEqual([]);
  });

  it("compileWorkflow alone cannot read the called file and says so at the uses:", () => {
    const { plan, errors } = compileWorkflow(CALLER, ".gantry/workflows/ci.yml");
    expect(plan).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ line: 14, col: 11, code: "reusable-workflow-unread" })]);
  });
});

describe("expandReusableCall", () => {
  const planned = async (): Promise<WorkflowPlan> => {
    const { plan } = await compileWorkflowWithCalls(CALLER, ".gantry/workflows/ci.yml", {}, reader({ ".gantry/lib/greet.yml": GREET }).read);
    if (!plan) throw new Error("the caller did not compile");
    return plan;
  };
  const contexts = { needs: { prepare: { result: "success", outputs: { name: "world" } } }, github: {}, matrix: {}, inputs: {} };

  it("adds the called jobs under the caller's key, with typed inputs over the defaults", async () => {
    const plan = await planned();
    const expansion = expandReusableCall(plan, "call", contexts);
    if (!expansion.ok) throw new Error(expansion.error);
    expect(expansion.inputs).toEqual({ who: "world", loud: true, times: 2, suffix: "!", level: 1, unset: false });
    expect(expansion.jobs.map((job) => [job.key, job.jobId, job.name, job.needs])).toEqual([
      ["call / say", "say", "call / say", []],
      ["call / check", "check", "call / check", ["call / say"]],
    ]);
    const say = expansion.jobs[0];
    // The called workflow's env under the job's own; the caller's workflow env is not there.
    expect(say?.env).toEqual({ FROM_CALLEE: "callee", OWN: "own" });
    expect(say).toMatchObject({ calledBy: "call", callSecrets: { token: "${{ secrets.DEPLOY_TOKEN }}" } });
    expect(expansion.plan.jobs.map((job) => job.key)).toEqual(["prepare", "call", "after", "call / say", "call / check"]);
  });

  it("fails when an input's value does not fit its declared type, naming the input", async () => {
    const plan = await planned();
    // A need's missing output is null, which an input reads as its type's empty value.
    expect(expandReusableCall(plan, "call", { ...contexts, needs: { prepare: { result: "success", outputs: {} } } })).toMatchObject({ ok: true, inputs: { who: "" } });
    const typed = { ...plan, jobs: plan.jobs.map((job) => (job.key === "call" ? { ...job, with: { ...job.with, times: "${{ needs.prepare.outputs.name }}" } } : job)) };
    expect(expandReusableCall(typed, "call", contexts)).toEqual({ ok: false, error: 'input "times" is typed as number by the called workflow, but its value is string "world"' });
    const missing = { ...plan, jobs: plan.jobs.map((job) => (job.key === "call" ? { ...job, with: {} } : job)) };
    expect(expandReusableCall(missing, "call", contexts)).toEqual({ ok: false, error: 'input "who" is required by the called workflow and was not given' });
  });

  it("gives each cell of a caller with a runtime matrix its own with:", () => {
    const plan: WorkflowPlan = {
      file: "ci.yml",
      name: "ci",
      triggers: [],
      env: {},
      jobs: [
        { key: "call", jobId: "call", name: "call", needs: [], runsOn: [], timeoutMinutes: 360, continueOnError: false, steps: [], outputs: {}, env: {}, failFast: true, retry: { maxAttempts: 3, on: "platform" }, dynamicMatrix: "${{ fromJSON('{\"os\":[\"a\",\"b\"]}') }}", uses: "./lib.yml", with: { os: "${{ matrix.os }}" } },
      ],
    };
    const expanded = expandDynamicJob(plan, "call", {});
    if (!expanded.ok) throw new Error(expanded.error);
    expect(expanded.plan.jobs.map((job) => [job.key, job.with])).toEqual([
      ["call (a)", { os: "a" }],
      ["call (b)", { os: "b" }],
    ]);
  });
});

describe("callOutputs", () => {
  it("evaluates the called workflow's outputs over its jobs", async () => {
    const { plan } = await compileWorkflowWithCalls(CALLER, ".gantry/workflows/ci.yml", {}, reader({ ".gantry/lib/greet.yml": GREET }).read);
    const callee = plan?.calls?.[".gantry/lib/greet.yml"];
    if (!callee) throw new Error("no called plan");
    expect(callOutputs(callee, { jobs: { say: { result: "success", outputs: { text: "hello world" } } } })).toEqual({ ok: true, outputs: { greeting: "hello world" } });
    expect(callOutputs(callee, { jobs: {} })).toEqual({ ok: true, outputs: { greeting: "" } });
  });
});
