// The hostile-job suite through the whole product (issue #13). apps/runner/test/sandbox/isolation-suite.ts checks
// each sandbox provider against its own API; this file checks the same kind of holes as a user's repository would
// reach them: `scripts/up.mjs` brings the platform up once per provider (bwrap, gvisor; microvm too when its probe
// says it can run here, marked slow: TCG boots a VM per step), on an empty test database of its own, a state directory
// of its own, a free port and a runner name of its own. Every hostile workflow goes to the demo repository in ONE push
// (one file each under .gantry/workflows/, so one run each; the demo pool's runner has capacity 1, so they queue), and
// each test reads its run from Postgres (WorkflowRun, JobRun, JobAttempt, StepRun) and its log from the object store
// (LogChunk objects under <stateDir>/storage, gzip).
//
// Before the push the test makes a canary tree on the runner's host (/tmp/gantry-hostile-XXXX, root's, 0700: a
// directory per test, a planted victim file and a root-only secret) and writes its paths into the workflows (the
// holes aim at them; every other job also tries to write into its own from inside the sandbox). Each test asserts that
// the job could not do what it tried AND that the host is unchanged: the canary root and its own directory exactly as
// they were (names, types, modes, owners, contents), the runner still online in /api/health, and (for the resource
// bombs) a next job running on the same runner and succeeding; the last test pushes a benign workflow that must succeed.
// A hostile step's own log line (or its outcome) is checked too, so no test passes because its hostile step never ran.
//
//   0. control      a benign job inside the pool's limits succeeds (so the limits below are not what fails a job)
//   1. script link  a step replaces the next steps' script files (in the runner-file directory, found from `$0`)
//                   with links to a host path: the runner must not create, write or chown through them
//   2. checkout     `actions/checkout` with `path: ws-link/sub` where ws-link leads to a host directory: refused,
//                   nothing created there, its owner unchanged (a checkout to a plain path is the control)
//   3. artifact     `ln -s / r`, then `actions/upload-artifact` of `r/<canary>/secret.txt`, alone and beside a
//                   workspace file: both refused naming the path; no stored object holds the secret (a benign upload is
//                   the control, and found by the same scan)
//   4. ref          `actions/checkout` with `ref: --upload-pack=touch <canary>/pwned`: "not a valid ref", no file
//                   (a checkout of `ref: main` is the control)
//   5. fork bomb    `:(){ :|:& };:` until its step's timeout: FAILED, the log names the pids limit, the next job runs
//   6. memory bomb  a 1 GiB string in perl against a 512 MiB pool: FAILED, "memory limit" named, the next job runs
//   7. disk fill    2 GiB against a 1 GiB pool: FAILED, the disk limit named, the host's free disk unchanged
//   8. add-mask     a value masked with ::add-mask:: and written to GITHUB_OUTPUT is in no StepRun.outputs, no
//                   job outputs and no log (the job spells it out letter by letter so the test knows it)
//   9. secret forms a repository secret (stored through @gantry/db's secretStore, encrypted as the product does)
//                   printed as wrapped base64 and as hex: neither form is in the stored log
//  10. GITHUB_ENV   BASH_ENV, NODE_OPTIONS, LD_PRELOAD written to GITHUB_ENV: refused naming the variable, or
//                   not given to the next step; a later checkout and upload-artifact still work
//  11. afterwards   when every run is over: the runner is online, the canary root is unchanged, a new push (a
//                   checkout, a step, an artifact) runs to success
//
// The pool's limits come from RunnerPool columns (setDemoPoolLimits below) set to 512 MiB, 256 processes and 1 GiB of
// disk, so no test allocates gigabytes of memory or writes the default 10 GiB. The fork bomb lowers its own
// RLIMIT_NPROC to 1,024 first (4 times the pool's limit): a safety belt for this shared machine when the pool's limit
// is not enforced, which the product's pids limit must undercut and name.
//
// Every marker the tests look for in a log is built when the step runs (`printf '%s-%s\n' a b` prints `a-b`), never
// written out in the script: the log shows each step's script, so a literal would be found even if the step never ran.
// bwrap and gvisor together take about 3.5 minutes here (platform start included); microvm (slow) about 4.5 more.
// Run one provider with `npx vitest run --project platform tests/platform/hostile-jobs.e2e.test.ts -t "on bwrap"`.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { until } from "@gantry/testing";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, openDatabase, parseMasterKey, secretStore, type TenantContext } from "@gantry/db";
import { createEmptyDatabase, type TestDatabase } from "@gantry/db/testing";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { GvisorProvider } from "../../apps/runner/src/sandbox/gvisor-provider";
import { MicrovmProvider } from "../../apps/runner/src/sandbox/microvm-provider";
import { TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
/** The demo pool's limits during these tests (the product's defaults are 2 CPUs, 4 GiB, 1,024 processes, 10 GiB). */
const POOL_LIMITS = { memoryBytes: 512 * MiB, pids: 256, diskBytes: 1 * GiB };

/**
 * Sets the demo pool's resource limits (read by the control plane when a job is claimed). Returns the limit columns
 * the RunnerPool table does not have (yet): those limits were not set, and the tests that need them say so.
 */
async function setDemoPoolLimits(
  client: pg.Client,
  limits: { memoryBytes?: number; pids?: number; diskBytes?: number; cpus?: number },
): Promise<string[]> {
  const { rows } = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = 'RunnerPool'`,
  );
  const existing = new Set(rows.map((row) => row.column_name));
  const wanted = Object.entries(limits).filter(([, value]) => value !== undefined);
  const present = wanted.filter(([column]) => existing.has(column));
  if (present.length > 0) {
    const sets = present.map(([column], i) => `"${column}" = $${i + 2}`).join(", ");
    const { rowCount } = await client.query(`UPDATE "RunnerPool" SET ${sets} WHERE id = $1`, [
      DEMO.poolId,
      ...present.map(([, value]) => value),
    ]);
    if (rowCount !== 1) throw new Error(`the demo pool ${DEMO.poolId} is not in the database`);
  }
  return wanted.filter(([column]) => !existing.has(column)).map(([column]) => column);
}

const root = path.resolve(import.meta.dirname, "../..");
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM", id: "hostile-jobs test" } };
const TERMINAL = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"];

interface Provider {
  name: string;
  kind: "BWRAP" | "GVISOR" | "MICROVM";
  probe: { available: boolean; detail: string };
  /** How long the whole batch of runs of one push may take on it. */
  batchMs: number;
  slow: boolean;
}

const providers: Provider[] = [
  {
    name: "bwrap",
    kind: "BWRAP",
    probe: await new BwrapProvider().probe(),
    batchMs: 5 * 60_000,
    slow: false,
  },
  {
    name: "gvisor",
    kind: "GVISOR",
    probe: await new GvisorProvider().probe(),
    batchMs: 6 * 60_000,
    slow: false,
  },
  {
    name: "microvm",
    kind: "MICROVM",
    probe: await new MicrovmProvider().probe(),
    batchMs: 40 * 60_000,
    slow: true,
  },
];
for (const provider of providers)
  if (!provider.probe.available)
    console.warn(`hostile jobs on ${provider.name}: skipping: ${provider.probe.detail}`);

// ---- the platform, as a user starts it ----

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Platform {
  url: string;
  stateDir: string;
  runnerName: string;
  client: pg.Client;
  output: () => string;
  /** Limit columns RunnerPool lacks (setDemoPoolLimits). */
  missingLimitColumns: string[];
  canary: Canary;
  /** The state of the canary tree before the push. */
  before: Map<string, Snapshot>;
  /** The host's free disk (bytes, where the runner's sandboxes live) before the push. */
  freeBefore: number;
  /** The pushed commit and when its runs must all be done. */
  sha: string;
  deadline: number;
  /** The secret stored for the repository (hole 9) and the root-only file's content (hole 3). */
  longSecret: string;
}

// ---- the canary tree on the runner's host ----

/** One canary directory per test: a hole left open fails its own test, not the others. */
const HOLES = [
  "control",
  "script",
  "checkout",
  "artifact",
  "ref",
  "fork",
  "memory",
  "disk",
  "mask",
  "secret",
  "env",
  "afterwards",
] as const;
type Hole = (typeof HOLES)[number];

interface Canary extends Record<Hole, string> {
  root: string;
  /** The content of `artifact/secret.txt` (root's, 0600). */
  hostSecret: string;
}

function makeCanary(): Canary {
  const canaryRoot = mkdtempSync(path.join(os.tmpdir(), "gantry-hostile-"));
  const dirs = Object.fromEntries(
    HOLES.map((hole) => {
      const full = path.join(canaryRoot, hole);
      mkdirSync(full, { mode: 0o755 });
      return [hole, full];
    }),
  ) as Record<Hole, string>;
  const canary: Canary = {
    root: canaryRoot,
    ...dirs,
    hostSecret: `host-secret-${randomBytes(12).toString("hex")}`,
  };
  writeFileSync(path.join(canary.script, "victim.txt"), "the runner must never write here\n", {
    mode: 0o644,
  });
  writeFileSync(path.join(canary.artifact, "secret.txt"), `${canary.hostSecret}\n`, { mode: 0o600 });
  chmodSync(path.join(canary.artifact, "secret.txt"), 0o600);
  return canary;
}

interface Snapshot {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  content?: string;
}

/** Every entry under `dir` (itself as "."), by lstat: never follows a link. */
function snapshot(dir: string): Map<string, Snapshot> {
  const entries = new Map<string, Snapshot>();
  const visit = (full: string, relative: string) => {
    const stat = lstatSync(full);
    const type = stat.isSymbolicLink()
      ? "link"
      : stat.isDirectory()
        ? "dir"
        : stat.isFile()
          ? "file"
          : "other";
    const content =
      type === "file"
        ? createHash("sha256").update(readFileSync(full)).digest("hex")
        : type === "link"
          ? readlinkSync(full)
          : undefined;
    entries.set(relative, {
      type,
      mode: stat.mode,
      uid: stat.uid,
      gid: stat.gid,
      size: type === "dir" ? 0 : stat.size,
      ...(content !== undefined ? { content } : {}),
    });
    if (type === "dir")
      for (const name of readdirSync(full).sort())
        visit(path.join(full, name), relative === "." ? name : `${relative}/${name}`);
  };
  visit(dir, ".");
  return entries;
}

/** The part of a snapshot of the canary root under one hole's directory. */
function under(tree: Map<string, Snapshot>, dir: string): Record<string, Snapshot> {
  return Object.fromEntries(
    [...tree].filter(([relative]) => relative === dir || relative.startsWith(`${dir}/`)),
  );
}

// ---- the workflows: one file per hole ----

const SECRET_NAME = "HOSTILE_LONG_SECRET";

/** Each workflow's text; `.gantry/workflows/<key>.yml`. */
function hostileWorkflows(canary: Canary): Record<string, string> {
  return {
    "h00-limits-control": `
name: limits control
on: push
jobs:
  within:
    runs-on: ubuntu-latest
    steps:
      - name: use some of every limit
        run: |
          touch ${canary.control}/written-by-the-job 2> /dev/null || true
          perl -e '$x = "a" x (128 * 1024 * 1024); exit(length($x) == 0)'
          for i in $(seq 32); do sleep 1 & done; wait
          dd if=/dev/zero of=fill bs=4M count=32 status=none
          rm fill
          printf '%s-%s\\n' within-limits ok
`,
    "h01-script-link": `
name: script link
on: push
jobs:
  swap:
    runs-on: ubuntu-latest
    steps:
      - name: plant links over the next scripts
        run: |
          dir=$(dirname "$0")
          n=$(basename "$0" | tr -dc 0-9)
          if ln -s ${canary.script}/created.txt "$dir/step_$((n + 1)).sh" && ln -s ${canary.script}/victim.txt "$dir/step_$((n + 2)).sh"; then
            ls -l "$dir"
            printf '%s-%s\\n' planted links
          else
            printf '%s-%s\\n' could-not-plant links
          fi
      - name: second
        run: printf '%s-%s\\n' second-step ran
      - name: third
        run: printf '%s-%s\\n' third-step ran
`,
    "h02-checkout-link": `
name: checkout link
on: push
jobs:
  checkout:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          path: plain/sub
      - run: |
          test -f plain/sub/README.md
          ln -s ${canary.checkout} ws-link
          printf '%s-%s\\n' link planted
      - id: via_link
        continue-on-error: true
        uses: actions/checkout@v4
        with:
          path: ws-link/sub
      - run: printf 'outcome-%s\\n' "\${{ steps.via_link.outcome }}"
`,
    "h03-artifact-link": `
name: artifact link
on: push
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - run: |
          printf '%s-%s\\n' benign artifact-content > ok.txt
          ln -s / r
          printf '%s-%s\\n' root linked
      - id: single
        continue-on-error: true
        uses: actions/upload-artifact@v4
        with:
          name: host-single
          path: r${canary.artifact}/secret.txt
      - id: mixed
        continue-on-error: true
        uses: actions/upload-artifact@v4
        with:
          name: host-mixed
          path: |
            ok.txt
            r${canary.artifact}/secret.txt
      - uses: actions/upload-artifact@v4
        with:
          name: benign
          path: ok.txt
      - run: printf 'outcomes-%s-%s\\n' "\${{ steps.single.outcome }}" "\${{ steps.mixed.outcome }}"
`,
    "h04-ref-injection": `
name: ref injection
on: push
jobs:
  checkout:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: main
          path: control
      - run: test -f control/README.md
      - id: inject
        continue-on-error: true
        uses: actions/checkout@v4
        with:
          ref: "--upload-pack=touch ${canary.ref}/pwned"
          path: injected
      - run: printf 'outcome-%s\\n' "\${{ steps.inject.outcome }}"
`,
    "h05-fork-bomb": `
name: fork bomb
on: push
jobs:
  bomb:
    runs-on: ubuntu-latest
    timeout-minutes: 3
    steps:
      - name: fork bomb
        timeout-minutes: 0.25
        shell: bash
        run: |
          touch ${canary.fork}/written-by-the-job 2> /dev/null || true
          ulimit -u 1024 2>/dev/null || true
          printf '%s-%s\\n' fork-bomb started
          :(){ :|:& };: 2>/dev/null
          exec sleep 600
  next:
    needs: bomb
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: printf '%s-%s\\n' next-job ran
`,
    "h06-memory-bomb": `
name: memory bomb
on: push
jobs:
  bomb:
    runs-on: ubuntu-latest
    timeout-minutes: 3
    steps:
      - name: memory bomb
        run: |
          touch ${canary.memory}/written-by-the-job 2> /dev/null || true
          printf '%s-%s\\n' memory-bomb started
          # One allocation (perl-base is on every provider): a pipe through tail is minutes of system calls on gVisor.
          perl -e '$x = "a" x (1024 * 1024 * 1024); exit(length($x) == 0)'
          printf '%s-%s\\n' memory-bomb survived
  next:
    needs: bomb
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: printf '%s-%s\\n' next-job ran
`,
    "h07-disk-fill": `
name: disk fill
on: push
jobs:
  fill:
    runs-on: ubuntu-latest
    timeout-minutes: 3
    steps:
      - name: disk fill
        run: |
          touch ${canary.disk}/written-by-the-job 2> /dev/null || true
          printf '%s-%s\\n' disk-fill started
          df -k .
          fallocate -l 2G fill 2> fallocate.err || { cat fallocate.err; grep -q "No space" fallocate.err && exit 1; dd if=/dev/zero of=fill bs=4M count=512 status=none; }
          df -k .
          printf '%s-%s\\n' disk-fill survived
  next:
    needs: fill
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: printf '%s-%s\\n' next-job ran
`,
    "h08-add-mask-output": `
name: add-mask output
on: push
jobs:
  mask:
    runs-on: ubuntu-latest
    outputs:
      leaked: \${{ steps.masked.outputs.out }}
    steps:
      - id: masked
        run: |
          touch ${canary.mask}/written-by-the-job 2> /dev/null || true
          value="s3cr3t-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \\n')"
          echo "::add-mask::$value"
          echo "out=$value" >> "$GITHUB_OUTPUT"
          printf 'masked-echo %s\\n' "$value"
          printf 'spelled %s\\n' "$(printf %s "$value" | sed 's/./&./g')"
      - env:
          OUT: \${{ steps.masked.outputs.out }}
        run: printf 'next-step-got %s\\n' "$OUT"
`,
    "h09-secret-forms": `
name: secret forms
on: push
jobs:
  forms:
    runs-on: ubuntu-latest
    env:
      S: \${{ secrets.${SECRET_NAME} }}
    steps:
      - run: |
          touch ${canary.secret}/written-by-the-job 2> /dev/null || true
          printf 'raw %s\\n' "$S"
          printf '%s-%s\\n' base64 begin
          printf %s "$S" | base64
          printf '%s-%s\\n' base64 end
          printf '%s-%s\\n' hex begin
          printf %s "$S" | od -An -v -tx1 | tr -d ' \\n'
          echo
          if command -v xxd > /dev/null; then printf %s "$S" | xxd -p; fi
          printf '%s-%s\\n' hex end
`,
    "h10-env-file": `
name: env file
on: push
jobs:
  env:
    runs-on: ubuntu-latest
    steps:
      - run: echo "BENIGN_VAR=benign-$((20 + 1))" >> "$GITHUB_ENV"
      - id: bash_env
        continue-on-error: true
        run: |
          echo 'echo "bash-env-$((40 + 2))"; touch ${canary.env}/bash-env-ran 2> /dev/null || true' > "$GITHUB_WORKSPACE/evil.sh"
          echo "BASH_ENV=$GITHUB_WORKSPACE/evil.sh" >> "$GITHUB_ENV"
      - id: node_options
        continue-on-error: true
        run: echo "NODE_OPTIONS=--require=$GITHUB_WORKSPACE/evil.js" >> "$GITHUB_ENV"
      - id: ld_preload
        continue-on-error: true
        run: echo "LD_PRELOAD=$GITHUB_WORKSPACE/evil.so" >> "$GITHUB_ENV"
      - name: what the next step gets
        run: |
          printf 'wrote-%s %s\\n' BASH_ENV "\${{ steps.bash_env.outcome }}" NODE_OPTIONS "\${{ steps.node_options.outcome }}" LD_PRELOAD "\${{ steps.ld_preload.outcome }}"
          printf 'next-sees %s=[%s]\\n' BENIGN_VAR "\${BENIGN_VAR-}" BASH_ENV "\${BASH_ENV-}" NODE_OPTIONS "\${NODE_OPTIONS-}" LD_PRELOAD "\${LD_PRELOAD-}"
      - uses: actions/checkout@v4
        with:
          path: after-env
      - run: |
          test -f after-env/README.md
          mkdir -p out
          echo "written after the env file" > out/a.txt
      - uses: actions/upload-artifact@v4
        with:
          name: after-env
          path: out
      - run: printf '%s-%s\\n' host-side-work done
`,
  };
}

const afterWorkflow = (canary: Canary) => `
name: afterwards
on: push
jobs:
  benign:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          touch ${canary.afterwards}/written-by-the-job 2> /dev/null || true
          test -f README.md
          mkdir -p out
          echo "still working" > out/a.txt
      - uses: actions/upload-artifact@v4
        with:
          name: afterwards
          path: out
      - run: printf '%s-%s\\n' afterwards ok
`;

// ---- one platform per provider ----

function platformOn(provider: Provider) {
  const state: {
    database?: TestDatabase;
    stateDir?: string;
    queuePrefix?: string;
    canaryRoot?: string;
    running?: ChildProcess;
    exited?: Promise<number | null>;
    platform?: Platform;
    clone?: string;
  } = {};
  const platform = () => {
    if (!state.platform) throw new Error("the platform is not up");
    return state.platform;
  };

  beforeAll(async () => {
    const database = await createEmptyDatabase();
    state.database = database;
    const stateDir = mkdtempSync(path.join(os.tmpdir(), `gantry-hostile-state-${provider.name}-`));
    state.stateDir = stateDir;
    const port = await freePort();
    const runnerName = `hostile-${provider.name}-${port}`;
    state.queuePrefix = `gantry-hostile-${provider.name}-${port}`;
    const child = spawn(process.execPath, ["scripts/up.mjs"], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/root",
        DATABASE_URL: database.url,
        REDIS_URL,
        GANTRY_STATE_DIR: stateDir,
        PORT: String(port),
        GANTRY_RUNNER_NAME: runnerName,
        GANTRY_DEMO_PROVIDER: provider.kind,
        // Queues and scheduler keys of its own: up.e2e.test.ts runs a platform on the same Redis at the same time,
        // and two workers on one prefix take each other's jobs.
        GANTRY_QUEUE_PREFIX: state.queuePrefix,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    state.running = child;
    state.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    let output = "";
    // Each chunk's arrival, in seconds since the spawn: a start that runs out of time says which step took it.
    let timeline = "";
    const spawnedAt = Date.now();
    const record = (chunk: Buffer) => {
      output += chunk.toString();
      timeline += `${chunk.toString().replace(/^(?=.)/gm, `+${((Date.now() - spawnedAt) / 1000).toFixed(1)}s `)}`;
    };
    child.stdout?.on("data", record);
    child.stderr?.on("data", record);
    const tail = () => timeline.split("\n").slice(-80).join("\n");
    // The first run may build the web app (a few minutes on a busy machine); later ones start in about a minute.
    const url = await until(
      "the ready line",
      async () =>
        /\[gantry\] ready (\S+)/.exec(output)?.[1] ?? (child.exitCode !== null ? "exited" : undefined),
      { timeoutMs: 540_000, context: tail, intervalMs: 250 },
    );
    if (url === "exited") throw new Error(`scripts/up.mjs exited before it was ready:\n${tail()}`);
    // The pool's provider runs the jobs, not the development `process` one.
    await until(
      `the runner to choose ${provider.name}`,
      async () => (output.includes(`runner: jobs run in ${provider.name} sandboxes`) ? true : undefined),
      { timeoutMs: 30_000, context: tail, intervalMs: 250 },
    );

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const missingLimitColumns = await setDemoPoolLimits(client, POOL_LIMITS);
    if (missingLimitColumns.length > 0)
      console.warn(
        `hostile jobs on ${provider.name}: RunnerPool has no column ${missingLimitColumns.join(", ")}: those pool limits are not set`,
      );

    // A repository secret, stored as the product stores one: sealed under the tenant's data key, wrapped by the
    // master key the up-command keeps in the state directory.
    const longSecret = randomBytes(75).toString("base64url");
    const { masterKey } = JSON.parse(readFileSync(path.join(stateDir, "secrets.json"), "utf8")) as {
      masterKey: string;
    };
    const db = openDatabase(database.url);
    try {
      await secretStore(db.forTenant(demo), demo, parseMasterKey(masterKey)).put(
        `repo:${DEMO.repositoryId}`,
        SECRET_NAME,
        longSecret,
      );
    } finally {
      await db.close();
    }

    const canary = makeCanary();
    state.canaryRoot = canary.root;
    const before = snapshot(canary.root);
    const freeBefore = freeDisk();

    // One push: the demo's own CI workflow out, every hostile workflow in.
    const clone = path.join(stateDir, "clone");
    state.clone = clone;
    execFileSync("git", ["clone", "--quiet", path.join(stateDir, "repos/demo/hello.git"), clone]);
    rmSync(path.join(clone, ".gantry/workflows"), { recursive: true, force: true });
    mkdirSync(path.join(clone, ".gantry/workflows"), { recursive: true });
    for (const [name, text] of Object.entries(hostileWorkflows(canary)))
      writeFileSync(path.join(clone, `.gantry/workflows/${name}.yml`), text);
    const sha = commitAndPush(clone, "Hostile workflows");
    state.platform = {
      url,
      stateDir,
      runnerName,
      client,
      output: () => output,
      missingLimitColumns,
      canary,
      before,
      freeBefore,
      sha,
      deadline: Date.now() + provider.batchMs,
      longSecret,
    };
  });

  afterAll(async () => {
    const child = state.running;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      const stopped = await Promise.race([
        state.exited,
        new Promise<"late">((resolve) => setTimeout(() => resolve("late"), 30_000)),
      ]);
      if (stopped === "late") child.kill("SIGKILL");
    }
    await state.platform?.client.end();
    await state.database?.drop();
    if (state.queuePrefix) {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${state.queuePrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    for (const dir of [state.stateDir, state.canaryRoot])
      if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // ---- reading results ----

  interface RunRow {
    id: string;
    status: string;
    errors: unknown;
  }

  async function runOf(file: string, sha = platform().sha, deadline = platform().deadline): Promise<RunRow> {
    const p = platform();
    return until(
      `the run of ${file} to finish`,
      async () => {
        const row = (
          await p.client.query<RunRow>(
            `SELECT id, status, errors FROM "WorkflowRun" WHERE sha = $1 AND "workflowPath" = $2`,
            [sha, `.gantry/workflows/${file}.yml`],
          )
        ).rows[0];
        return row && TERMINAL.includes(row.status) ? row : undefined;
      },
      { timeoutMs: deadline - Date.now(), intervalMs: 250 },
    ).catch(async (error: Error) => {
      const runs = await p.client.query(
        `SELECT "workflowPath", status FROM "WorkflowRun" WHERE sha = $1 ORDER BY "workflowPath"`,
        [sha],
      );
      throw new Error(
        `${error.message}\nruns of ${sha}: ${JSON.stringify(runs.rows)}\n${p.output().split("\n").slice(-60).join("\n")}`,
      );
    });
  }

  interface JobRow {
    id: string;
    key: string;
    status: string;
    failureReason: string | null;
    outputs: unknown;
  }

  async function jobsOf(runId: string): Promise<JobRow[]> {
    return (
      await platform().client.query<JobRow>(
        `SELECT id, key, status, "failureReason", outputs FROM "JobRun" WHERE "runId" = $1 ORDER BY key`,
        [runId],
      )
    ).rows;
  }

  /** Every attempt's log of the job, in order, from the object store. */
  async function jobLog(jobId: string): Promise<string> {
    const p = platform();
    const chunks = await p.client.query<{ objectKey: string }>(
      `SELECT c."objectKey" FROM "LogChunk" c JOIN "JobAttempt" a ON a.id = c."attemptId" WHERE a."jobRunId" = $1 ORDER BY a.number, c.seq`,
      [jobId],
    );
    return chunks.rows
      .map((row) => gunzipSync(readFileSync(path.join(p.stateDir, "storage", row.objectKey))).toString())
      .join("");
  }

  async function stepsOf(jobId: string): Promise<{ name: string; status: string; outputs: unknown }[]> {
    return (
      await platform().client.query<{ name: string; status: string; outputs: unknown }>(
        `SELECT s.name, s.status, s.outputs FROM "StepRun" s JOIN "JobAttempt" a ON a.id = s."attemptId" WHERE a."jobRunId" = $1 ORDER BY a.number, s.index`,
        [jobId],
      )
    ).rows;
  }

  /** The run of `file` once it is over, its jobs, and each job's log. */
  async function finished(file: string) {
    const run = await runOf(file);
    const jobs = await jobsOf(run.id);
    const logs = new Map<string, string>();
    for (const job of jobs) logs.set(job.key, await jobLog(job.id));
    const job = (key: string) => {
      const found = jobs.find((j) => j.key === key);
      if (!found)
        throw new Error(
          `the run of ${file} has no job ${key}: ${JSON.stringify(jobs)}; errors ${JSON.stringify(run.errors)}`,
        );
      return found;
    };
    const log = (key: string) => logs.get(key) ?? "";
    const context = () =>
      `run ${file}: ${run.status} ${JSON.stringify(run.errors)}\n${jobs.map((j) => `--- ${j.key}: ${j.status} ${j.failureReason ?? ""}\n${logs.get(j.key) ?? ""}`).join("\n")}`;
    return { run, jobs, job, log, context };
  }

  /**
   * The host is as the test left it: the canary root itself and the names in it, and everything under the test's own
   * canary directory (names, types, modes, owners, contents), unchanged; and the runner still online.
   */
  async function expectHostUnchanged(hole: Hole, context: () => string) {
    const p = platform();
    const now = snapshot(p.canary.root);
    const top = (tree: Map<string, Snapshot>) => ({
      root: tree.get("."),
      names: [...tree.keys()].filter((name) => name !== "." && !name.includes("/")),
    });
    expect(top(now), `the canary root changed\n${context()}`).toEqual(top(p.before));
    expect(under(now, hole), `the canary ${hole}/ changed\n${context()}`).toEqual(under(p.before, hole));
    const health = (await (await fetch(`${p.url}/api/health`)).json()) as {
      runners: { name: string; online: boolean }[];
    };
    expect(health.runners, "the runner is not online").toContainEqual(
      expect.objectContaining({ name: p.runnerName, online: true }),
    );
  }

  return {
    platform,
    finished,
    stepsOf,
    expectHostUnchanged,
    runOf,
    jobsOf,
    jobLog,
    clone: () => state.clone ?? "",
  };
}

function commitAndPush(clone: string, message: string): string {
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Hostile E2E", "-c", "user.email=hostile@example.com", ...args], {
      cwd: clone,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  git("add", "--all");
  git("commit", "--quiet", "-m", message);
  git("push", "--quiet", "origin", "main");
  return git("rev-parse", "HEAD");
}

/** Free bytes on the filesystem where the runner makes its sandboxes (its TMPDIR: the up-command passes none). */
function freeDisk(): number {
  const stat = statfsSync(os.tmpdir());
  return stat.bavail * stat.bsize;
}

/** The lines of `text` that are the output of a printf, not the echoed script (which starts with the command). */
const outputLine = (log: string, pattern: RegExp) => log.split("\n").find((line) => pattern.test(line));

const PIDS_LIMIT = /process limit \d+ reached/i;
const MEMORY_LIMIT = /memory limit/i;
const DISK_LIMIT = /disk (limit|quota)/i;

for (const provider of providers) {
  describe.skipIf(!provider.probe.available)(
    `hostile jobs through the whole platform on ${provider.name}${provider.slow ? " (slow)" : ""}`,
    () => {
      const { platform, finished, stepsOf, expectHostUnchanged, runOf, jobsOf, jobLog, clone } =
        platformOn(provider);
      const timeout = provider.batchMs + 60_000;
      const test = (title: string, fn: () => Promise<void>) =>
        it(`${provider.slow ? "slow: " : ""}${title}`, { timeout }, fn);

      test("control: a benign job that uses some of each pool limit succeeds", async () => {
        const { job, log, context } = await finished("h00-limits-control");
        await expectHostUnchanged("control", context);
        expect(job("within").status, context()).toBe("SUCCEEDED");
        expect(log("within")).toMatch(/^within-limits-ok$/m);
      });

      test("1. a step cannot make the runner write or chown a host file through a link over the next step's script", async () => {
        const { job, log, context } = await finished("h01-script-link");
        // The hostile step ran: it planted its links, or found the script directory closed to it.
        expect(log("swap"), context()).toMatch(/^(planted-links|could-not-plant-links)$/m);
        await expectHostUnchanged("script", context);
        // Whatever became of the job (the next scripts written afresh, or the step refused), no link was followed.
        expect(job("swap").status, context()).toMatch(/^(SUCCEEDED|FAILED)$/);
      });

      test("2. actions/checkout into a path through a link the job planted is refused and creates nothing outside", async () => {
        const { job, log, context } = await finished("h02-checkout-link");
        expect(log("checkout"), context()).toMatch(/^link-planted$/m);
        await expectHostUnchanged("checkout", context);
        // The plain checkout (the control) worked; the one through the link did not, and says where it was sent.
        expect(log("checkout"), context()).toMatch(/^outcome-failure$/m);
        expect(log("checkout")).toMatch(/##\[error\].*ws-link/);
        expect(job("checkout").status).toBe("SUCCEEDED");
      });

      test("3. actions/upload-artifact of a host file through a link to / is refused, and no stored object holds it", async () => {
        const { job, log, context } = await finished("h03-artifact-link");
        const p = platform();
        expect(log("upload"), context()).toMatch(/^root-linked$/m);
        await expectHostUnchanged("artifact", context);
        // No object in the store (artifacts, caches, logs) holds the host's secret; the same scan finds the benign artifact.
        const holding = (needle: string) =>
          storedObjects(p.stateDir)
            .filter((object) => object.text.includes(needle))
            .map((object) => object.file);
        expect(
          holding("benign-artifact-content").length,
          "the scan does not find the benign artifact",
        ).toBeGreaterThan(0);
        expect(holding(p.canary.hostSecret), context()).toEqual([]);
        const named = `r${p.canary.artifact}/secret.txt`;
        expect(log("upload"), context()).toMatch(/^outcomes-failure-failure$/m);
        const errors = log("upload")
          .split("\n")
          .filter((line) => line.startsWith("##[error]"));
        expect(
          errors.filter((line) => line.includes(named) || line.includes(`r${p.canary.artifact}`)).length,
          errors.join("\n"),
        ).toBeGreaterThanOrEqual(2);
        const artifacts = await p.client.query<{ name: string }>(
          `SELECT a.name FROM "Artifact" a JOIN "WorkflowRun" r ON r.id = a."runId" WHERE r.sha = $1 AND r."workflowPath" = $2 ORDER BY a.name`,
          [p.sha, ".gantry/workflows/h03-artifact-link.yml"],
        );
        expect(artifacts.rows.map((row) => row.name)).toEqual(["benign"]);
        expect(job("upload").status).toBe("SUCCEEDED");
      });

      test("4. actions/checkout with an option for a ref is refused as not a valid ref, and runs nothing", async () => {
        const { job, log, context } = await finished("h04-ref-injection");
        await expectHostUnchanged("ref", context);
        expect(log("checkout"), context()).toMatch(/^outcome-failure$/m);
        expect(log("checkout"), context()).toMatch(/##\[error\].*not a valid (git )?ref/i);
        expect(job("checkout").status).toBe("SUCCEEDED");
      });

      // Resource bombs: each fails its job naming the limit it hit, and the runner runs the job after it.
      const bombs = [
        { title: "5. a fork bomb fails its job naming the process limit", workflow: "h05-fork-bomb", job: "bomb", canary: "fork", marker: "fork-bomb", limit: PIDS_LIMIT },
        { title: "6. a memory bomb fails its job naming the memory limit", workflow: "h06-memory-bomb", job: "bomb", canary: "memory", marker: "memory-bomb", limit: MEMORY_LIMIT, survived: true },
        { title: "7. filling the disk fails its job naming the disk limit, leaves the host's free disk as it was,", workflow: "h07-disk-fill", job: "fill", canary: "disk", marker: "disk-fill", limit: DISK_LIMIT, survived: true, hostDisk: true },
      ] as const;
      for (const bomb of bombs) {
        test(`${bomb.title} and the runner runs the next job`, async () => {
          const { job, log, context } = await finished(bomb.workflow);
          // The limit's words come from the runner, not from the workflow's own text.
          expect(hostileWorkflows(platform().canary)[bomb.workflow]).not.toMatch(bomb.limit);
          expect(log(bomb.job), context()).toMatch(new RegExp(`^${bomb.marker}-started$`, "m"));
          await expectHostUnchanged(bomb.canary, context);
          expect(job("next").status, context()).toBe("SUCCEEDED");
          // Within a margin: other runs of the batch, and other work on this machine, write too.
          if ("hostDisk" in bomb) expect(freeDisk(), "the host lost free disk").toBeGreaterThan(platform().freeBefore - 1 * GiB);
          if ("survived" in bomb) expect(log(bomb.job), context()).not.toMatch(new RegExp(`^${bomb.marker}-survived$`, "m"));
          expect(job(bomb.job).status, context()).toBe("FAILED");
          // A microvm's guest kernel kills and refuses inside the VM, out of the host's sight: it is contained (the
          // VM's memory and the guest's ulimit), but only disk, file size and wall time are named (docs/sandboxes.md).
          if (provider.name !== "microvm" || bomb.canary === "disk") expect(`${log(bomb.job)}\n${job(bomb.job).failureReason ?? ""}`, context()).toMatch(bomb.limit);
          expect(platform().missingLimitColumns, "RunnerPool lacks limit columns").toEqual([]);
        });
      }

      test("8. a value masked with ::add-mask:: is in no step output, no job output and no log", async () => {
        const { job, log, context } = await finished("h08-add-mask-output");
        await expectHostUnchanged("mask", context);
        const text = log("mask");
        // The job spelled the value out (s.3.c.…) so the test knows what must not be anywhere.
        const spelled = outputLine(text, /^spelled /);
        expect(spelled, context()).toBeDefined();
        const value = (spelled ?? "").slice("spelled ".length).replaceAll(".", "");
        expect(value).toMatch(/^s3cr3t-[0-9a-f]{16}$/);
        // Masking works on the log at all (the control).
        expect(text).toMatch(/^masked-echo \*\*\*$/m);
        expect(text).toMatch(/^next-step-got \*\*\*$/m);
        expect(text).not.toContain(value);
        const steps = await stepsOf(job("mask").id);
        expect(steps.length).toBeGreaterThanOrEqual(2);
        expect(
          JSON.stringify(steps.map((step) => step.outputs)),
          "StepRun.outputs hold the masked value",
        ).not.toContain(value);
        expect(
          JSON.stringify(job("mask").outputs ?? null),
          "the job's outputs hold the masked value",
        ).not.toContain(value);
        expect(job("mask").status).toBe("SUCCEEDED");
      });

      test("9. a repository secret printed as wrapped base64 and as hex is in neither form in the stored log", async () => {
        const { job, log, context } = await finished("h09-secret-forms");
        await expectHostUnchanged("secret", context);
        const text = log("forms");
        const secret = platform().longSecret;
        expect(text, context()).toMatch(/^raw \*\*\*$/m);
        expect(text).not.toContain(secret);
        // The forms were printed (masked or not): base64 wraps at 76 columns, so it is more than one line.
        const between = (begin: string, end: string) =>
          text
            .slice(text.indexOf(`\n${begin}\n`) + begin.length + 2, text.indexOf(`\n${end}\n`))
            .split("\n")
            .filter((line) => line !== "");
        expect(text).toMatch(/^base64-begin$/m);
        expect(between("base64-begin", "base64-end").length, context()).toBeGreaterThanOrEqual(2);
        expect(text).toMatch(/^hex-end$/m);
        const base64 = Buffer.from(secret).toString("base64");
        const hex = Buffer.from(secret).toString("hex");
        const wrapped = (value: string, width: number) => value.match(new RegExp(`.{1,${width}}`, "g")) ?? [];
        const forms = [...wrapped(base64, 76), hex, ...wrapped(hex, 60)].filter((form) => form.length >= 16);
        expect(
          forms.filter((form) => text.includes(form)),
          "forms of the secret in the log",
        ).toEqual([]);
        expect(job("forms").status).toBe("SUCCEEDED");
      });

      test("10. BASH_ENV, NODE_OPTIONS and LD_PRELOAD from GITHUB_ENV never reach the next step, and the runner's host-side work still works", async () => {
        const { job, log, context } = await finished("h10-env-file");
        const p = platform();
        const text = log("env");
        // GITHUB_ENV works at all (the control).
        expect(text, context()).toMatch(/^next-sees BENIGN_VAR=\[benign-21\]$/m);
        for (const name of ["BASH_ENV", "NODE_OPTIONS", "LD_PRELOAD"]) {
          const outcome = /^wrote-\S+ (\w+)$/.exec(
            outputLine(text, new RegExp(`^wrote-${name} `)) ?? "",
          )?.[1];
          expect(outcome, `${name}: the writing step's outcome\n${context()}`).toMatch(/^(success|failure)$/);
          // Refused naming the variable, or dropped: either way the next step does not get it.
          if (outcome === "failure")
            expect(
              text.split("\n").filter((line) => line.startsWith("##[error]") && line.includes(name)).length,
              `${name}: refused without naming it`,
            ).toBeGreaterThan(0);
          expect(text, `${name} reached the next step`).toMatch(
            new RegExp(`^next-sees ${name}=\\[\\]$`, "m"),
          );
        }
        expect(text).not.toMatch(/^bash-env-42$/m);
        expect(text).toMatch(/^host-side-work-done$/m);
        const artifacts = await p.client.query<{ name: string }>(
          `SELECT a.name FROM "Artifact" a JOIN "WorkflowRun" r ON r.id = a."runId" WHERE r.sha = $1 AND r."workflowPath" = $2`,
          [p.sha, ".gantry/workflows/h10-env-file.yml"],
        );
        expect(artifacts.rows.map((row) => row.name)).toEqual(["after-env"]);
        expect(job("env").status).toBe("SUCCEEDED");
        await expectHostUnchanged("env", context);
      });

      test("11. afterwards: the runner is online, the canary root is untouched, and a new push runs to success", async () => {
        const p = platform();
        // Every run of the hostile push is over first.
        const hostile = Object.keys(hostileWorkflows(p.canary));
        for (const file of hostile) await runOf(file);
        rmSync(path.join(clone(), ".gantry/workflows"), { recursive: true, force: true });
        mkdirSync(path.join(clone(), ".gantry/workflows"), { recursive: true });
        writeFileSync(path.join(clone(), ".gantry/workflows/afterwards.yml"), afterWorkflow(p.canary));
        const sha = commitAndPush(clone(), "Afterwards");
        const run = await runOf("afterwards", sha, Date.now() + (provider.slow ? 10 * 60_000 : 2 * 60_000));
        const jobs = await jobsOf(run.id);
        const log = await jobLog(jobs[0]?.id ?? "");
        expect(
          jobs.map((job) => [job.key, job.status]),
          `${JSON.stringify(run.errors)}\n${log}`,
        ).toEqual([["benign", "SUCCEEDED"]]);
        expect(log).toMatch(/^afterwards-ok$/m);
        await expectHostUnchanged("afterwards", () => log);
      });
    },
  );
}

/** Every object in the state directory's store, gunzipped when it is gzip (logs, artifacts, caches). */
function storedObjects(stateDir: string): { file: string; text: string }[] {
  const objects: { file: string; text: string }[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) {
        const bytes = readFileSync(full);
        let text = bytes.toString("latin1");
        if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
          try {
            text = gunzipSync(bytes).toString("latin1");
          } catch {
            // not gzip after all
          }
        }
        objects.push({ file: full, text });
      }
    }
  };
  visit(path.join(stateDir, "storage"));
  return objects;
}
