// Step semantics on the process provider (fast, no isolation needed to check GitHub's rules); the bwrap
// suite runs a job end to end in a real sandbox.
import { describe, expect, it } from "vitest";
import { ProcessProvider } from "../../src/sandbox/process-provider";
import { SandboxRefusedError } from "../../src/sandbox/types";
import { executeJob } from "../../src/execution/job-executor";
import { collectingLog, job, runJob, step } from "./helpers";

const provider = new ProcessProvider({ devMode: true });
// The log without the echoed scripts (`##[group]Run …`): what the steps printed.
const output = (text: string) => text.replace(/##\[group\]Run [\s\S]*?##\[endgroup\]\n/g, "");

describe("step names", () => {
  it("evaluates a step's name with the job's contexts, as GitHub shows it, and keeps a name that cannot be evaluated", async () => {
    const started: string[] = [];
    const sandbox = await provider.prepare({ untrusted: false });
    const { log } = collectingLog();
    try {
      const result = await executeJob({
        job: job(
          [
            step(0, { name: "Test on node ${{ matrix.node }} (${{ github.ref_name }})", run: "echo one" }),
            step(1, { name: "Token ${{ secrets.TOKEN }}", run: "echo two" }),
            step(2, { name: "Broken ${{ nosuch( }}", run: "echo three" }),
            step(3, { run: "echo ${{ matrix.node }}" }),
          ],
          { matrix: { node: 20 } },
        ),
        sandbox,
        log,
        contexts: { github: { repository: "acme/app", sha: "abc123", ref: "refs/heads/main", ref_name: "main", event_name: "push" }, secrets: { TOKEN: "hunter2-secret" } },
        onStepStart: (s) => void started.push(s.name),
      });
      const names = ["Test on node 20 (main)", "Token ***", "Broken ${{ nosuch( }}", "Run echo ${{ matrix.node }}"];
      expect(result.steps.map((s) => s.name)).toEqual(names);
      expect(started).toEqual(names);
    } finally {
      await log.close();
      await sandbox.destroy();
    }
  });
});

describe("step conditions and failures", () => {
  it("skips after a failure unless if: always() or failure(), and reports outcome vs conclusion", async () => {
    const { result } = await runJob(provider, job([
      step(0, { id: "ok", run: "echo fine" }),
      step(1, { id: "soft", run: "exit 3", continueOnError: true }),
      step(2, { id: "hard", run: "exit 4" }),
      step(3, { id: "skipped", run: "echo never" }),
      step(4, { id: "onfail", run: "echo cleanup", if: "failure()" }),
      step(5, { id: "always", run: "echo always", if: "${{ always() }}" }),
      step(6, { id: "implicit", run: "echo no", if: "github.ref == 'refs/heads/main'" }),
    ]));
    expect(result.steps.map((s) => [s.id, s.outcome, s.conclusion])).toEqual([
      ["ok", "success", "success"],
      ["soft", "failure", "success"],
      ["hard", "failure", "failure"],
      ["skipped", "skipped", "skipped"],
      ["onfail", "success", "success"],
      ["always", "success", "success"],
      // A condition without a status function gets GitHub's implicit success().
      ["implicit", "skipped", "skipped"],
    ]);
    expect(result.conclusion).toBe("failure");
  });

  it("exposes steps.<id>.outcome and conclusion to later conditions", async () => {
    const { result, text } = await runJob(provider, job([
      step(0, { id: "try", run: "false", continueOnError: "${{ true }}" }),
      step(1, { run: "echo 'outcome=${{ steps.try.outcome }} conclusion=${{ steps.try.conclusion }}'", if: "steps.try.outcome == 'failure'" }),
    ]));
    expect(text).toContain("outcome=failure conclusion=success");
    expect(result.conclusion).toBe("success");
  });

  it("fails a step whose if: does not evaluate", async () => {
    const { result } = await runJob(provider, job([step(0, { run: "echo x", if: "nosuch.context ==" })]));
    expect(result.steps[0]).toMatchObject({ outcome: "failure", error: expect.stringMatching(/^if:/) });
  });

  it("kills a step at its timeout-minutes and goes on with always() steps", async () => {
    const started = Date.now();
    const { result } = await runJob(provider, job([step(0, { run: "sleep 30", timeoutMinutes: 0.01 }), step(1, { run: "echo after", if: "always()" })]));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.steps[0]).toMatchObject({ outcome: "failure", error: expect.stringMatching(/timeout-minutes/) });
    expect(result.steps[1]?.outcome).toBe("success");
  });

  it("cancels the running step on abort and skips the rest except always()", async () => {
    const sandbox = await provider.prepare({ untrusted: false });
    const { log } = collectingLog();
    const controller = new AbortController();
    const planned = job([step(0, { run: "echo started; sleep 30" }), step(1, { run: "echo no" }), step(2, { run: "echo yes", if: "always()" })]);
    const running = executeJob({ job: planned, sandbox, log, contexts: { github: {} }, signal: controller.signal, onStepStart: (s) => void (s.index === 0 && setTimeout(() => controller.abort(), 50)) });
    const result = await running;
    await log.close();
    await sandbox.destroy();
    expect(result.conclusion).toBe("cancelled");
    expect(result.steps.map((s) => s.outcome)).toEqual(["cancelled", "skipped", "success"]);
  });
});

describe("env, shells and file commands", () => {
  it("merges job env < step env, sets GITHUB_* defaults, honours working-directory and sh", async () => {
    const { result, text } = await runJob(provider, job([
      step(0, { run: "mkdir -p sub/dir" }),
      step(1, { run: 'echo "A=$A B=$B CI=$CI OS=$RUNNER_OS SHA=$GITHUB_SHA JOB=$GITHUB_JOB"; echo "pwd=$(pwd | sed "s|$GITHUB_WORKSPACE|WS|")"', env: { B: "step-${{ matrix.v }}" }, workingDirectory: "sub/dir" }),
      step(2, { run: "echo shell=$0", shell: "sh" }),
      step(3, { run: "false | true; echo pipefail-not-hit", continueOnError: true }),
    ], { env: { A: "job", B: "job" }, matrix: { v: "7" } }));
    expect(text).toContain("A=job B=step-7 CI=true OS=Linux SHA=abc123 JOB=build");
    expect(text).toContain("pwd=WS/sub/dir");
    expect(text).toMatch(/shell=.*step_2\.sh/);
    // bash runs with -o pipefail: a failing pipe stage fails the step.
    expect(result.steps[3]?.outcome).toBe("failure");
    expect(output(text)).not.toContain("pipefail-not-hit");
  });

  it("carries GITHUB_ENV, GITHUB_PATH and GITHUB_OUTPUT (with multi-line delimiters) to later steps and job outputs", async () => {
    const { result, text } = await runJob(provider, job([
      step(0, {
        id: "gen",
        run: [
          'echo "GREETING=hello" >> "$GITHUB_ENV"',
          'printf "BODY<<END_OF_BODY\\nline 1\\nline 2\\nEND_OF_BODY\\n" >> "$GITHUB_ENV"',
          'mkdir -p "$RUNNER_TEMP/bin" && printf "#!/bin/sh\\necho from-tool\\n" > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"',
          'echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"',
          'echo "version=1.2.3" >> "$GITHUB_OUTPUT"',
          'printf "notes<<EOF\\nfirst\\nsecond\\nEOF\\n" >> "$GITHUB_OUTPUT"',
          'echo "## Build summary" >> "$GITHUB_STEP_SUMMARY"',
        ].join("\n"),
      }),
      step(1, { run: 'echo "greeting=$GREETING"; echo "body=$BODY" | head -2; mytool; echo "v=${{ steps.gen.outputs.version }} env=${{ env.GREETING }}"' }),
    ], { outputs: { version: "${{ steps.gen.outputs.version }}", notes: "${{ steps.gen.outputs.notes }}" } }));
    expect(text).toContain("greeting=hello");
    expect(text).toContain("body=line 1\nline 2");
    expect(text).toContain("from-tool");
    expect(text).toContain("v=1.2.3 env=hello");
    expect(result.steps[0]?.outputs).toEqual({ version: "1.2.3", notes: "first\nsecond" });
    expect(result.steps[0]?.summary).toBe("## Build summary\n");
    expect(result.outputs).toEqual({ version: "1.2.3", notes: "first\nsecond" });
  });

  it("evaluates hashFiles() over the workspace, never through a planted symlink", async () => {
    const { createHash } = await import("node:crypto");
    const sha = (data: string | Buffer) => createHash("sha256").update(data).digest();
    const { result, text } = await runJob(provider, job([
      step(0, { run: 'mkdir -p a/b && echo one > a/b/x.lock && echo two > y.lock && echo no > z.txt && ln -s /etc/hostname a/link.lock' }),
      step(1, { run: "echo 'h=${{ hashFiles('**/*.lock') }}' && echo 'none=${{ hashFiles('*.nothing') }}' && echo 'neg=${{ hashFiles('**/*.lock', '!y.lock') }}'" }),
    ]));
    expect(result.conclusion).toBe("success");
    const expected = createHash("sha256").update(sha("one\n")).update(sha("two\n")).digest("hex");
    const neg = createHash("sha256").update(sha("one\n")).digest("hex");
    expect(output(text)).toContain(`h=${expected}\nnone=\nneg=${neg}\n`);
  });

  it("fails a step whose GITHUB_OUTPUT delimiter never closes", async () => {
    const { result } = await runJob(provider, job([step(0, { run: 'printf "x<<EOF\\nno end\\n" >> "$GITHUB_OUTPUT"' })]));
    expect(result.steps[0]).toMatchObject({ outcome: "failure", error: expect.stringMatching(/matching delimiter "EOF" not found/) });
  });

  it("refuses to follow a symlink planted in place of a file command file", async () => {
    const { result } = await runJob(provider, job([step(0, { run: 'ln -sf /etc/hostname "$GITHUB_OUTPUT"' })]));
    expect(result.steps[0]).toMatchObject({ outcome: "failure", error: expect.stringMatching(/not a regular file/) });
  });

  it("refuses ::set-env:: from stdout (CVE-2020-15228)", async () => {
    const { result, text } = await runJob(provider, job([step(0, { run: "echo '::set-env name=X::y'" }), step(1, { run: 'echo "X=[$X]"', if: "always()" })]));
    expect(result.steps[0]?.outcome).toBe("failure");
    expect(text).toContain("X=[]");
  });

  it("reports uses: it cannot run as a clear failure", async () => {
    const { result } = await runJob(provider, job([step(0, { uses: "actions/checkout@v4" })]));
    expect(result.steps[0]).toMatchObject({ outcome: "failure", error: "uses: actions/checkout@v4: this runner has no way to fetch remote actions (no resolver configured)" });
  });
});

describe("workflow commands and masking in a job", () => {
  it("collects annotations, renders groups, honours stop-commands only with its token, hides debug", async () => {
    const { result, text } = await runJob(provider, job([
      step(0, {
        run: [
          "echo '::group::Compile'",
          "echo '::error file=src/app.ts,line=3,col=7,title=Type error::bad type'",
          "echo '::warning::careful'",
          "echo '::notice file=README.md::fyi'",
          "echo '::endgroup::'",
          "echo '::debug::hidden debug'",
          "echo '::stop-commands::tok123'",
          "echo '::warning::not a command now'",
          "echo '::tok123::'",
          "echo '::notice::live again'",
        ].join("\n"),
      }),
    ]));
    expect(result.annotations.map((a) => [a.level, a.message, a.file, a.line, a.col, a.title])).toEqual([
      ["error", "bad type", "src/app.ts", 3, 7, "Type error"],
      ["warning", "careful", undefined, undefined, undefined, undefined],
      ["notice", "fyi", "README.md", undefined, undefined, undefined],
      ["notice", "live again", undefined, undefined, undefined, undefined],
    ]);
    expect(text).toContain("##[group]Compile\n");
    expect(text).toContain("##[endgroup]\n");
    expect(text).toContain("::warning::not a command now\n");
    expect(output(text)).not.toContain("hidden debug");
    expect(output(text)).not.toContain("tok123");
  });

  it("masks secrets in every form and ::add-mask:: values, in logs, summaries, errors and job outputs", async () => {
    const secret = "Sup3r$ecret-Token_value";
    const { result, text } = await runJob(provider, job([
      step(0, {
        id: "s",
        run: [
          'echo "raw: $TOKEN"',
          'printf "%s" "$TOKEN" | base64',
          'printf "x%s" "$TOKEN" | base64',
          'printf "xy%s" "$TOKEN" | base64',
          "echo 'json: ${{ toJSON(secrets.TOKEN) }}'",
          'echo "::add-mask::dynamic-value-42"',
          'echo "later: dynamic-value-42"',
          'echo "leak=$TOKEN" >> "$GITHUB_OUTPUT"',
          'echo "summary $TOKEN" >> "$GITHUB_STEP_SUMMARY"',
          "echo '::error::failed with ${{ secrets.TOKEN }}'",
        ].join("\n"),
        env: { TOKEN: "${{ secrets.TOKEN }}" },
      }),
    ], { outputs: { leaked: "${{ steps.s.outputs.leak }}" } }), { secrets: { TOKEN: secret } });
    const base64s = [secret, `x${secret}`, `xy${secret}`].map((v) => Buffer.from(v).toString("base64"));
    expect(text).not.toContain(secret);
    for (const b of base64s) expect(text).not.toContain(b.slice(4, -4));
    expect(text).toContain("raw: ***");
    expect(text).toContain("later: ***");
    expect(output(text)).not.toContain("dynamic-value-42");
    expect(result.steps[0]?.summary).toBe("summary ***\n");
    expect(result.annotations[0]?.message).toBe("failed with ***");
    expect(result.outputs).toEqual({});
    expect(result.annotations.some((a) => a.message.includes("may contain a secret"))).toBe(true);
  });
});

describe("what the runner reports is masked", () => {
  it("reports step outputs and annotations masked, with ::add-mask:: values registered before or after, and keeps outputs in clear for later steps", async () => {
    const secret = "0utput-S3cret-value";
    const { result, text } = await runJob(provider, job([
      step(0, {
        id: "a",
        run: [
          'echo "tok=$TOKEN" >> "$GITHUB_OUTPUT"',
          'echo "::add-mask::dyn-before-77"',
          'echo "dyn=dyn-before-77" >> "$GITHUB_OUTPUT"',
          'echo "late=late-mask-88" >> "$GITHUB_OUTPUT"',
          "echo '::set-output name=legacy::late-mask-88'",
          "echo '::warning title=late-mask-88::about late-mask-88'",
          'echo "::add-mask::late-mask-88"',
        ].join("\n"),
        env: { TOKEN: "${{ secrets.TOKEN }}" },
      }),
      step(1, { run: 'test "${{ steps.a.outputs.tok }}" = "$TOKEN" && echo same-token; test "${{ steps.a.outputs.late }}" = "late""-mask-88" && echo same-late', env: { TOKEN: "${{ secrets.TOKEN }}" } }),
    ]), { secrets: { TOKEN: secret } });
    expect(result.steps[0]?.outputs).toEqual({ tok: "***", dyn: "***", late: "***", legacy: "***" });
    expect(result.steps[0]?.annotations).toMatchObject([{ level: "warning", message: "about ***", title: "***" }]);
    expect(result.annotations[0]).toMatchObject({ message: "about ***", title: "***" });
    expect(output(text)).toContain("same-token");
    expect(output(text)).toContain("same-late");
  });
});

describe("GITHUB_ENV refuses variables that make later steps run code", () => {
  for (const [name, value] of [["NODE_OPTIONS", "--require /tmp/x.js"], ["LD_PRELOAD", "/tmp/x.so"], ["BASH_ENV", "/tmp/x.sh"], ["GIT_SSH_COMMAND", "sh /tmp/x.sh"], ["GIT_CONFIG_COUNT", "1"]] as const) {
    it(`fails the step that writes ${name}, and the next step does not see it`, async () => {
      const { result, text } = await runJob(provider, job([
        step(0, { run: `echo "${name}=${value}" >> "$GITHUB_ENV"; echo "ORDINARY=kept" >> "$GITHUB_ENV"` }),
        step(1, { run: `echo "seen=[\${${name}:-}] ordinary=[$ORDINARY]"`, if: "always()" }),
      ]));
      expect(result.steps[0]).toMatchObject({ outcome: "failure", error: expect.stringContaining(`Can't store ${name} using '$GITHUB_ENV'`) });
      expect(output(text)).toContain("seen=[] ordinary=[kept]");
    });
  }

  it("refuses them case-insensitively and by prefix (BASH_FUNC_*, GIT_CONFIG_*), and leaves ordinary names alone", async () => {
    const { result, text } = await runJob(provider, job([
      step(0, { run: 'echo "ld_preload=/tmp/x.so" >> "$GITHUB_ENV"; echo "GIT_CONFIG_KEY_0=core.sshCommand" >> "$GITHUB_ENV"; echo "BASH_FUNC_ls=x" >> "$GITHUB_ENV"' }),
      step(1, { run: 'echo "NODE_ENV=production" >> "$GITHUB_ENV"; echo "GIT_AUTHOR_NAME=bot" >> "$GITHUB_ENV"; echo "PYTHONSTARTUP=/tmp/s.py" >> "$GITHUB_ENV"', if: "always()" }),
      step(2, { run: 'echo "env=[$NODE_ENV $GIT_AUTHOR_NAME $PYTHONSTARTUP]"', if: "always()" }),
    ]));
    expect(result.steps[0]?.error).toMatch(/ld_preload.*GIT_CONFIG_KEY_0.*BASH_FUNC_ls/s);
    expect(result.steps.map((s) => s.outcome)).toEqual(["failure", "success", "success"]);
    expect(output(text)).toContain("env=[production bot /tmp/s.py]");
  });
});

describe("process provider", () => {
  it("refuses untrusted code and runs nothing outside dev mode", async () => {
    await expect(provider.prepare({ untrusted: true })).rejects.toBeInstanceOf(SandboxRefusedError);
    await expect(new ProcessProvider().prepare({ untrusted: false })).rejects.toBeInstanceOf(SandboxRefusedError);
    const allowed = await new ProcessProvider({ devMode: true, allowUntrusted: true }).prepare({ untrusted: true });
    await allowed.destroy();
  });
});
