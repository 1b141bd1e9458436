// Local composite actions in a real bwrap sandbox: the action written by an earlier step (as act's tests do), inputs
// and defaults, outputs, the caller's env inside and not after, GITHUB_ENV / GITHUB_PATH back to the job, nesting,
// failures, and action files that try to escape the workspace.
import { describe, expect, it } from "vitest";
import { BwrapProvider } from "../../src/sandbox/bwrap-provider";
import { job, runJob, step } from "./helpers";

const provider = new BwrapProvider();
const probe = await provider.probe();
if (!probe.available) console.warn(`composite action tests skipped: ${probe.detail}`);

/**
 * A step that writes `content` to `file` in the workspace (a heredoc, so YAML keeps its indentation). The runner
 * evaluates `${{ }}` in a run script before it runs, so the action's own expressions go through as `@{{` and sed
 * puts the `$` back (written `$\{\{` in the script, which is not an expression).
 */
const write = (index: number, file: string, content: string) =>
  step(index, { run: `mkdir -p "$(dirname '${file}')"\ncat > '${file}' <<'ACTION'\n${content.replaceAll("${{", "@{{")}\nACTION\nsed -i 's/@{{/$\\{\\{/g' '${file}'` });

const GREETER = `
name: greeter
inputs:
  who:
    required: true
  greeting:
    default: hello
outputs:
  said:
    value: \${{ steps.say.outputs.text }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        echo "text=\${{ inputs.greeting }} \${{ inputs.who }}" >> "$GITHUB_OUTPUT"
        echo "caller=$CALLER"
    - shell: bash
      run: |
        echo "FROM_ACTION=\${{ steps.say.outputs.text }}" >> "$GITHUB_ENV"
        mkdir -p "$GITHUB_WORKSPACE/bin" && echo "$GITHUB_WORKSPACE/bin" >> "$GITHUB_PATH"
    - shell: bash
      if: failure()
      run: echo "$((1 + 1))-never"
`;

describe.skipIf(!probe.available)("local composite actions", () => {
  it("run their steps with inputs and defaults; outputs, GITHUB_ENV and GITHUB_PATH reach the job; the caller's env does not leak", async () => {
    const { result, text } = await runJob(
      provider,
      job(
        [
          write(0, "actions/greeter/action.yml", GREETER),
          step(1, { id: "greet", uses: "./actions/greeter", with: { who: "${{ github.repository }}" }, env: { CALLER: "set-by-caller" } }),
          step(2, { run: 'echo "said=${{ steps.greet.outputs.said }} env=$FROM_ACTION caller=${CALLER:-unset}"; case ":$PATH:" in *"/work/bin:"*) echo on-path;; esac' }),
        ],
        { outputs: { said: "${{ steps.greet.outputs.said }}" } },
      ),
      {},
      { untrusted: true, network: "none" },
    );
    expect(result.steps.map((one) => one.error ?? "")).toEqual(["", "", ""]);
    expect(result.conclusion).toBe("success");
    expect(text).toContain("caller=set-by-caller");
    expect(text).toContain("said=hello acme/app env=hello acme/app caller=unset");
    expect(text).toContain("on-path");
    expect(text).not.toContain("2-never");
    expect(result.outputs).toEqual({ said: "hello acme/app" });
    // One step of the job, as GitHub shows it.
    expect(result.steps.map((one) => [one.index, one.outcome])).toEqual([[0, "success"], [1, "success"], [2, "success"]]);
  });

  it("nest, and a failing inner step fails the calling step; continue-on-error and always() inside behave as in a job", async () => {
    const outer = `
runs:
  using: composite
  steps:
    - uses: ./inner
    - shell: bash
      run: echo "$((6 * 7))-after-inner"
    - shell: bash
      if: always()
      run: echo "$((40 + 3))-cleanup"
`;
    const inner = `
runs:
  using: composite
  steps:
    - shell: bash
      continue-on-error: true
      run: exit 3
    - shell: bash
      run: echo "$((40 + 4))-continued" && exit 7
`;
    const { result, text } = await runJob(provider, job([write(0, "outer/action.yml", outer), write(1, "inner/action.yaml", inner), step(2, { uses: "./outer" }), step(3, { run: "echo not-reached" })]));
    expect(result.conclusion).toBe("failure");
    expect(text).toContain("\n44-continued");
    expect(text).not.toContain("42-after-inner");
    expect(text).toContain("\n43-cleanup");
    expect(text).not.toContain("not-reached");
    expect(result.steps[2]).toMatchObject({ outcome: "failure", error: "the process exited with code 7" });
  });

  it("refuse what is not a composite action, a run step without a shell, a missing action, and endless nesting", async () => {
    const node = "runs:\n  using: node20\n  main: index.js";
    const noShell = "runs:\n  using: composite\n  steps:\n    - run: echo hi";
    const loop = "runs:\n  using: composite\n  steps:\n    - uses: ./loop";
    const { result } = await runJob(
      provider,
      job(
        [
          write(0, "node/action.yml", node),
          write(1, "noshell/action.yml", noShell),
          write(2, "loop/action.yml", loop),
          step(3, { uses: "./node", continueOnError: true }),
          step(4, { uses: "./noshell", continueOnError: true }),
          step(5, { uses: "./missing", continueOnError: true }),
          step(6, { uses: "./loop", continueOnError: true }),
        ],
      ),
    );
    const errors = result.steps.slice(3).map((one) => one.error);
    expect(errors[0]).toBe('local action ./node runs with "node20"; Gantry runs only composite local actions');
    expect(errors[1]).toBe('./noshell step 1: "shell" is required for a run step of a composite action');
    expect(errors[2]).toMatch(/^local action \.\/missing: no such directory in the workspace/);
    expect(errors[3]).toBe("uses: ./loop: composite actions nest at most 10 deep");
  });

  it("will not read an action file outside the workspace, through a symlinked folder or file", async () => {
    const { result } = await runJob(
      provider,
      job([
        step(0, { run: "ln -s /etc escape && mkdir -p linked && ln -s /etc/passwd linked/action.yml" }),
        step(1, { uses: "./escape", continueOnError: true }),
        step(2, { uses: "./linked", continueOnError: true }),
        step(3, { uses: "./../..", continueOnError: true }),
      ]),
    );
    expect(result.steps.slice(1).map((one) => one.error)).toEqual([
      'local action ./escape: "escape" is a symbolic link; the runner does not follow links a job made',
      'local action ./linked: "action.yml" is a symbolic link, not a regular file; the runner does not follow links a job made',
      'local action ./../..: "./../.." goes up with ".."',
    ]);
  });
});
