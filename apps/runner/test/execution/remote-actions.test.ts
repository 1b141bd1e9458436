// Remote actions end to end through executeJob on the process provider: a local server plays the control plane's
// resolve route and archive URL (action-server.ts), GitHub's own published actions run unmodified from
// ../shared/actions (github-script on Node 20 and 24, setup-node and setup-python finding a pre-populated tool
// cache), and test-written actions show pre/main/post order, state, post-if, inputs, nested composites, the depth
// limit, the docker refusal, malformed metadata and an archive whose bytes changed.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PlannedStep } from "@gantry/workflow-schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeJob } from "../../src/execution/job-executor";
import type { ActionsOptions, JobResult } from "../../src/execution/types";
import { nodeRuntimes } from "../../src/node-runtimes";
import { protocolActions } from "../../src/protocol-actions";
import { ProtocolClient } from "../../src/protocol-client";
import { BwrapProvider } from "../../src/sandbox/bwrap-provider";
import { ProcessProvider } from "../../src/sandbox/process-provider";
import type { Sandbox, SandboxProvider } from "../../src/sandbox/types";
import { assignment } from "../executor-fixtures";
import { ActionServer } from "./action-server";
import { collectingLog, job, step, until } from "./helpers";

const processProvider = new ProcessProvider({ devMode: true });
// The refusals need no Node inside: they run in bwrap too, where the host can start it.
const bwrap = new BwrapProvider();
const bwrapProbe = await bwrap.probe();
if (!bwrapProbe.available) console.warn(`remote action refusals in bwrap skipped: ${bwrapProbe.detail}`);
const refusalProviders: SandboxProvider[] = bwrapProbe.available
  ? [processProvider, bwrap]
  : [processProvider];
const claim = assignment([]);
const server = new ActionServer(claim.jobToken);
const root = mkdtempSync(path.join(os.tmpdir(), "gantry-remote-actions-"));
const stateDir = path.join(root, "state");
const toolCache = path.join(root, "tool-cache");
const runtimes = nodeRuntimes();
const sha = (n: number) => String(n).repeat(40).slice(0, 40);

/** Writes an action folder from file name → content and serves it as `repositoryAtRef`. */
function action(repositoryAtRef: string, files: Record<string, string>, commit: string): void {
  const folder = path.join(root, "actions", repositoryAtRef.replace(/[/@]/g, "_"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), content);
  }
  server.add(repositoryAtRef, folder, commit);
}

const PHASES = `
name: phases
inputs:
  tag:
    required: true
  greeting:
    default: hello \${{ github.repository }}
  token:
    default: \${{ github.token }}
  who with space:
    default: spaced-default
outputs:
  said:
    description: what main said
runs:
  using: node16
  pre: pre.js
  main: main.js
  post: post.js
`;
const PHASES_JS = {
  "pre.js": `require("fs").appendFileSync(process.env.GITHUB_STATE, "from_pre=p-" + process.env.INPUT_TAG + "\\n"); console.log("PRE " + process.env.INPUT_TAG);`,
  "main.js": [
    `const env = process.env;`,
    `console.log("MAIN " + env.INPUT_TAG + " state=" + env.STATE_from_pre + " greeting=" + env.INPUT_GREETING + " token=" + (env.INPUT_TOKEN === "tok" ? "given" : "missing") + " spaced=" + env.INPUT_WHO_WITH_SPACE + " path=" + (env.GITHUB_ACTION_PATH.endsWith("/_actions/acme/phases/${sha(1)}") ? "ok" : env.GITHUB_ACTION_PATH) + " repo=" + env.GITHUB_ACTION_REPOSITORY + " ref=" + env.GITHUB_ACTION_REF + " node=" + process.version.split(".")[0]);`,
    `require("fs").appendFileSync(env.GITHUB_OUTPUT, "said=said-" + env.INPUT_TAG + "\\n");`,
    `console.log("::save-state name=from_main::m-" + env.INPUT_TAG);`,
  ].join("\n"),
  "post.js": `console.log("POST " + process.env.INPUT_TAG + " pre=" + process.env.STATE_from_pre + " main=" + process.env.STATE_from_main);`,
};

beforeAll(async () => {
  await server.start();
  action("acme/phases@v1", { "action.yml": PHASES, ...PHASES_JS }, sha(1));
  action("acme/phases@v2", { "action.yml": PHASES, ...PHASES_JS }, sha(2));
  action(
    "acme/success-only@v1",
    {
      "action.yml": `name: s\nruns:\n  using: node24\n  main: main.js\n  post: post.js\n  post-if: success()\n`,
      "main.js": `console.log("SUCCESS-ONLY MAIN " + process.version.split(".")[0])`,
      "post.js": `console.log("SUCCESS-ONLY POST")`,
    },
    sha(3),
  );
  action(
    "acme/outer@v1",
    {
      "action.yml": `name: outer\ninputs:\n  word:\n    default: outer-default\noutputs:\n  said:\n    value: \${{ steps.inner.outputs.said }}\nruns:\n  using: composite\n  steps:\n    - id: inner\n      uses: acme/tools/inner@v1\n      with:\n        word: \${{ inputs.word }}\n    - shell: bash\n      run: echo "OUTER path=$GITHUB_ACTION_PATH file=$(cat "\${{ github.action_path }}/marker.txt")"\n`,
      "marker.txt": "outer-marker",
    },
    sha(4),
  );
  action(
    "acme/tools@v1",
    {
      "inner/action.yml": `name: inner\ninputs:\n  word: {}\noutputs:\n  said:\n    value: \${{ steps.js.outputs.said }}\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo "INNER word=\${{ inputs.word }}"\n    - id: js\n      uses: acme/phases@v1\n      with:\n        tag: nested-\${{ inputs.word }}\n`,
    },
    sha(5),
  );
  action(
    "acme/loop@v1",
    { "action.yml": `name: loop\nruns:\n  using: composite\n  steps:\n    - uses: acme/loop@v1\n` },
    sha(6),
  );
  action(
    "acme/docker@v1",
    { "action.yml": `name: d\nruns:\n  using: docker\n  image: Dockerfile\n`, Dockerfile: "FROM alpine\n" },
    sha(7),
  );
  action("acme/bad@v1", { "action.yml": `name: bad\nruns:\n  using: node20\n` }, sha(8));
  action("acme/bad-yaml@v1", { "action.yml": `name: [unclosed\n` }, sha(9));
});

afterAll(async () => {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});

function actions(): ActionsOptions {
  const client = new ProtocolClient(server.url);
  return {
    ...protocolActions(client, claim, { kill: new AbortController().signal, log: () => undefined }),
    cacheDir: path.join(stateDir, "actions"),
    nodeRuntimes: runtimes,
    toolCache,
  };
}

async function run(
  steps: PlannedStep[],
  options: { signal?: AbortSignal; onLog?: (text: () => string) => void; provider?: SandboxProvider; serviceUrl?: string; actions?: Partial<ActionsOptions> } = {},
): Promise<{ result: JobResult; text: string }> {
  const prepared = await (options.provider ?? processProvider).prepare({ untrusted: false });
  // The service proxy is the sandbox helper's; here only the URL a sandbox would report matters.
  const sandbox: Sandbox = options.serviceUrl ? Object.create(prepared, { serviceUrl: { value: options.serviceUrl } }) : prepared;
  const { log, text } = collectingLog();
  options.onLog?.(text);
  try {
    const result = await executeJob({
      job: job(steps),
      sandbox,
      log,
      contexts: {
        github: {
          repository: "acme/app",
          repository_owner: "acme",
          sha: "abc123",
          ref: "refs/heads/main",
          event_name: "push",
          token: "tok",
        },
      },
      actions: { ...actions(), ...options.actions },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await log.close();
    return { result, text: text() };
  } finally {
    await prepared.destroy();
  }
}

/** The positions of `needles` in `text`, each expected after the one before. */
function expectInOrder(text: string, needles: string[]): void {
  let from = 0;
  for (const needle of needles) {
    const at = text.indexOf(needle, from);
    expect(at, `${needle} after position ${from}`).toBeGreaterThanOrEqual(0);
    from = at + needle.length;
  }
}

describe("GitHub's published actions, unmodified", () => {
  for (const [tag, node] of [
    ["v7.0.1", "v20"],
    ["v8.0.0", "v24"],
  ] as const) {
    it(`actions/github-script@${tag} runs a script that sets an output and returns a value (Node ${node})`, async () => {
      const { result, text } = await run([
        step(0, {
          id: "x",
          uses: `actions/github-script@${tag}`,
          with: {
            script: `core.setOutput("answer", "42"); core.info("node " + process.version.split(".")[0]); return "hi " + context.repo.repo;`,
          },
        }),
        step(1, {
          run: `echo "result=\${{ steps.x.outputs.result }} answer=\${{ steps.x.outputs.answer }}"`,
        }),
      ]);
      expect(result.conclusion, text).toBe("success");
      expect(text).toContain(`Download action repository 'actions/github-script@${tag}' (SHA:`);
      expect(text).toContain(`node ${node}`);
      expect(text).toContain(`result="hi app" answer=42`);
    });
  }

  it("actions/setup-node@v4.4.0 finds Node in the tool cache: the next step's node is that version, nothing downloaded", async () => {
    const runtime = runtimes["24"];
    if (!runtime) throw new Error("node-runtime-24 is not installed");
    const version = execFileSync(path.join(runtime, "bin", "node"), ["--version"])
      .toString()
      .trim()
      .slice(1);
    mkdirSync(path.join(toolCache, "node", version), { recursive: true });
    symlinkSync(runtime, path.join(toolCache, "node", version, "x64"));
    writeFileSync(path.join(toolCache, "node", version, "x64.complete"), "");
    const { result, text } = await run([
      step(0, { uses: "actions/setup-node@v4.4.0", with: { "node-version": version } }),
      step(1, { run: "node --version" }),
    ]);
    expect(result.conclusion, text).toBe("success");
    expect(text).toContain(`Found in cache @ ${path.join(toolCache, "node", version, "x64")}`);
    expect(text).not.toContain("Attempting to download");
    expect(text).toMatch(new RegExp(`\\nv${version.replaceAll(".", "\\.")}\\n`));
    expect(process.version).not.toBe(`v${version}`);
  });

  it("actions/setup-python@v5.6.0 finds Python in the tool cache: the next step's python is the cached one", async () => {
    const version = execFileSync("python3", ["-c", "import platform; print(platform.python_version())"])
      .toString()
      .trim();
    const installDir = path.join(toolCache, "Python", version, "x64");
    execFileSync("python3", ["-m", "venv", "--without-pip", installDir]);
    writeFileSync(`${installDir}.complete`, "");
    const { result, text } = await run([
      step(0, { uses: "actions/setup-python@v5.6.0", with: { "python-version": version } }),
      step(1, { run: "python --version; command -v python" }),
    ]);
    expect(result.conclusion, text).toBe("success");
    expect(text).toContain(`Python ${version}\n${installDir}/bin/python\n`);
    expect(text).not.toContain("is available for downloading");
    // setup-python exports LD_LIBRARY_PATH, which GITHUB_ENV refuses: for a published action, dropped with a warning.
    expect(result.annotations).toContainEqual(expect.objectContaining({ level: "warning", message: expect.stringMatching(/^Can't store LD_LIBRARY_PATH using '\$GITHUB_ENV'/) }));
  });
});

describe("JavaScript actions' phases", () => {
  it("hands an action the services' URLs and runtime token (masked), and GitHub's API through the proxy for a github run", async () => {
    action("acme/env@v1", { "action.yml": "name: env\nruns:\n  using: node20\n  main: main.js\n", "main.js": `for (const name of ["ACTIONS_RUNTIME_URL", "ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL", "ACTIONS_RUNTIME_TOKEN", "GITHUB_API_URL", "GITHUB_SERVER_URL", "RUNNER_TOOL_CACHE"]) console.log(name + "=" + process.env[name]);` }, sha(10));
    const { result, text } = await run([step(0, { uses: "acme/env@v1" }), step(1, { run: 'echo "RUN_API=$GITHUB_API_URL RUN_TOKEN=${ACTIONS_RUNTIME_TOKEN:-none}"' })], {
      serviceUrl: "http://127.0.0.1:7777",
      actions: { runtimeToken: "rt-secret-value", source: "github", serverUrl: "https://github.example" },
    });
    expect(result.conclusion, text).toBe("success");
    for (const name of ["ACTIONS_RUNTIME_URL", "ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL"]) expect(text).toContain(`${name}=http://127.0.0.1:7777/api/actions/\n`);
    expect(text).toContain("ACTIONS_RUNTIME_TOKEN=***\n");
    expect(text).not.toContain("rt-secret-value");
    expect(text).toContain("GITHUB_API_URL=http://127.0.0.1:7777/github-api\nGITHUB_SERVER_URL=https://github.example\n");
    expect(text).toContain(`RUNNER_TOOL_CACHE=${toolCache}\n`);
    expect(text).toContain("RUN_API=http://127.0.0.1:7777/github-api RUN_TOKEN=none");
  });

  it("runs pre before the first step (node16 on Node 20), main in place, posts last first with the state saved; inputs with expression defaults; an unknown input warns", async () => {
    const { result, text } = await run([
      step(0, { run: "echo FIRST" }),
      step(1, { id: "a", uses: "acme/phases@v1", with: { tag: "one" } }),
      step(2, { run: "echo OTHER said=${{ steps.a.outputs.said }}" }),
      step(3, { uses: "acme/phases@v1", with: { tag: "two", unknown: "x" } }),
    ]);
    expect(result.conclusion, text).toBe("success");
    expectInOrder(text, [
      "PRE one",
      "PRE two",
      "FIRST",
      "MAIN one state=p-one",
      "OTHER said=said-one",
      "MAIN two state=p-two",
      "POST two pre=p-two main=m-two",
      "POST one pre=p-one main=m-one",
    ]);
    expect(text).toContain(
      `greeting=hello acme/app token=given spaced=spaced-default path=ok repo=acme/phases ref=v1 node=v20`,
    );
    expect(text.split(`Download action repository 'acme/phases@v1' (SHA:${sha(1)})`).length - 1).toBe(1);
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: "warning",
        message:
          "Unexpected input(s) 'unknown', valid inputs are ['tag', 'greeting', 'token', 'who with space']",
      }),
    );
  });

  it("runs posts after a failure (post-if defaults to always()); a post-if: success() post is skipped", async () => {
    const { result, text } = await run([
      step(0, { uses: "acme/success-only@v1" }),
      step(1, { uses: "acme/phases@v1", with: { tag: "one" } }),
      step(2, { run: "exit 4" }),
      step(3, { uses: "acme/phases@v1", with: { tag: "never" } }),
    ]);
    expect(result.conclusion).toBe("failure");
    expect(text).toContain("SUCCESS-ONLY MAIN v24");
    expect(text).toContain("POST one pre=p-one main=m-one");
    expect(text).not.toContain("MAIN never");
    expect(text).not.toContain("SUCCESS-ONLY POST");
    expect(text).toContain("Post Run acme/success-only@v1 skipped: post-if is false");
  });

  it("runs posts after a cancel", async () => {
    const controller = new AbortController();
    let logText: () => string = () => "";
    const running = run(
      [
        step(0, { uses: "acme/phases@v1", with: { tag: "one" } }),
        step(1, { run: "echo SLEEPING; sleep 60" }),
      ],
      { signal: controller.signal, onLog: (text) => (logText = text) },
    );
    await until("the sleeping step", () => logText().includes("SLEEPING"), 30_000);
    controller.abort("cancelled");
    const { result, text } = await running;
    expect(result.conclusion).toBe("cancelled");
    expectInOrder(text, ["MAIN one", "SLEEPING", "POST one pre=p-one main=m-one"]);
  });
});

describe("composite, docker and broken actions", () => {
  it("runs a remote composite that nests another repository's composite and a JavaScript action, with action_path and outputs", async () => {
    const { result, text } = await run([
      step(0, { id: "o", uses: "acme/outer@v1", with: { word: "deep" } }),
      step(1, { run: "echo OUT=${{ steps.o.outputs.said }}" }),
    ]);
    expect(result.conclusion, text).toBe("success");
    expectInOrder(text, [
      "INNER word=deep",
      "PRE nested-deep",
      "MAIN nested-deep state=p-nested-deep",
      "OUTER path=",
      "file=outer-marker",
      "OUT=said-nested-deep",
      "POST nested-deep",
    ]);
  });

  for (const provider of refusalProviders) {
    describe(`in ${provider.name}`, () => {
      it("stops composites nested past GitHub's depth limit", async () => {
        const { result } = await run([step(0, { uses: "acme/loop@v1" })], { provider });
        expect(result.conclusion).toBe("failure");
        expect(result.steps[0]?.error).toBe("uses: acme/loop@v1: composite actions nest at most 10 deep");
      });

      it("refuses docker actions with the reason", async () => {
        const { result } = await run(
          [
            step(0, { name: "build image", uses: "acme/docker@v1" }),
            step(1, { uses: "docker://alpine:3", if: "always()" }),
          ],
          { provider },
        );
        expect(result.steps.map((s) => s.error)).toEqual([
          `step "build image": docker actions need a pool with a container runtime (acme/docker@v1 has runs.using: docker)`,
          `step "docker://alpine:3": docker actions need a pool with a container runtime (docker://alpine:3 has runs.using: docker)`,
        ]);
      });

      it("fails a step whose action.yml is malformed, naming the file and the problem", async () => {
        const { result } = await run(
          [step(0, { uses: "acme/bad@v1" }), step(1, { uses: "acme/bad-yaml@v1", if: "always()" })],
          { provider },
        );
        expect(result.steps[0]?.error).toBe(
          `acme/bad@v1: acme/bad/action.yml@${sha(8)}: runs.main: Invalid input: expected string, received undefined`,
        );
        expect(result.steps[1]?.error).toMatch(
          new RegExp(`^acme/bad-yaml@v1: acme/bad-yaml/action.yml@${sha(9)} is not YAML: `),
        );
      });

      it("fails a step whose archive's bytes changed (sha-256 mismatch), and one whose ref does not resolve", async () => {
        server.tampered.set("acme/phases@v2", Buffer.from("not the archive"));
        const { result } = await run(
          [
            step(0, { uses: "acme/phases@v2", with: { tag: "t" } }),
            step(1, { uses: "acme/nothing@v1", if: "always()" }),
          ],
          { provider },
        );
        expect(result.conclusion).toBe("failure");
        expect(result.steps[0]?.error).toMatch(
          new RegExp(
            `^uses: acme/phases@v2: the archive of acme/phases@${sha(2)} has sha-256 [0-9a-f]{64}, not the [0-9a-f]{64} the control plane recorded: refusing it`,
          ),
        );
        expect(result.steps[1]?.error).toBe(
          "uses: acme/nothing@v1: acme/nothing@v1: the ref does not resolve",
        );
        expect(readdirSync(path.join(stateDir, "actions")).filter((name) => name.endsWith(".part"))).toEqual(
          [],
        );
      });
    });
  }

  it("downloads an archive once for the runner: a later job takes it from the cache by its sha-256", async () => {
    const name = `acme-phases-${sha(1)}.tar.gz`;
    await run([step(0, { uses: "acme/phases@v1", with: { tag: "a" } })]);
    const before = server.requests.filter((request) => request === `get ${name}`).length;
    const { result } = await run([step(0, { uses: "acme/phases@v1", with: { tag: "b" } })]);
    expect(result.conclusion).toBe("success");
    expect(before).toBeGreaterThanOrEqual(1);
    expect(server.requests.filter((request) => request === `get ${name}`).length).toBe(before);
  });
});
