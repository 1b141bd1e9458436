// nektos/act's runner test table (../shared/corpus/act/expectations.json, transcribed from act's Go tests; see its
// SOURCE.md), read and grouped: several test functions run the same workflow under the same event (in a container
// and on the host), and Gantry has one way to run it, so each (workdir, workflow path, event) is one case.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const ACT_CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../shared/corpus/act");

const row = z.object({
  test_func: z.string(),
  section: z.string(),
  workdir: z.string(),
  workflow_path: z.string(),
  event: z.string(),
  expected_result: z.enum(["success", "failure"]),
  expected_error: z.string(),
  run_only: z.boolean(),
  needs: z.array(z.string()),
  config: z
    .object({
      Inputs: z.record(z.string(), z.string()).optional(),
      Matrix: z.record(z.string(), z.array(z.string())).optional(),
      Secrets: z.string().optional(),
      Env: z.string().optional(),
    })
    .partial()
    .optional(),
});
const expectations = z.object({ runs: z.array(row) });
export type ActRow = z.infer<typeof row>;

export interface ActCase {
  /** `<workflow path>@<event>` (plus the workdir when it is not act's runner testdata). */
  name: string;
  /** The repository root: act runs with this folder as the working directory. */
  workdir: string;
  workflowPath: string;
  event: string;
  expected: "success" | "failure";
  /** What act prints when it fails (informative: the Go tests only check that an error came). */
  expectedError: string;
  /** Workflow files act plans: the file, or every *.yml / *.yaml directly inside the folder. */
  files: string[];
  /** Inputs act's test passes on its command line (workflow_dispatch), merged over event.json's. */
  inputs: Record<string, string>;
  /** A user-defined matrix act's test passes on its command line (act's own option; GitHub has none). */
  userMatrix: boolean;
  /** The table rows this case stands for. */
  rows: ActRow[];
}

function workflowFiles(root: string, workflowPath: string): string[] {
  const target = path.join(root, workflowPath);
  if (!existsSync(target)) return [];
  if (statSync(target).isFile()) return [workflowPath];
  return readdirSync(target)
    .filter((name) => /\.ya?ml$/.test(name) && statSync(path.join(target, name)).isFile())
    .sort()
    .map((name) => path.join(workflowPath, name));
}

function eventInputs(root: string, workflowPath: string): Record<string, string> {
  const eventFile = path.join(root, workflowPath, "event.json");
  if (!existsSync(eventFile)) return {};
  const parsed = z.object({ inputs: z.record(z.string(), z.unknown()).optional() }).passthrough().parse(JSON.parse(readFileSync(eventFile, "utf8")));
  return Object.fromEntries(Object.entries(parsed.inputs ?? {}).map(([name, value]) => [name, String(value)]));
}

/** The rows marked run_only=true (no Docker, remote actions, Windows, Python…), one case per workflow and event. */
export function loadActCases(corpus = ACT_CORPUS): ActCase[] {
  const table = expectations.parse(JSON.parse(readFileSync(path.join(corpus, "expectations.json"), "utf8")));
  const cases = new Map<string, ActCase>();
  for (const one of table.runs.filter((candidate) => candidate.run_only)) {
    const name = `${one.workdir === "pkg/runner/testdata" ? "" : `${one.workdir}:`}${one.workflow_path}@${one.event}`;
    const known = cases.get(name);
    if (known) {
      if (known.expected !== one.expected_result) throw new Error(`act's table disagrees with itself on ${name}`);
      known.rows.push(one);
      Object.assign(known.inputs, one.config?.Inputs ?? {});
      known.userMatrix ||= Boolean(one.config?.Matrix);
      continue;
    }
    const root = path.join(corpus, one.workdir);
    cases.set(name, {
      name,
      workdir: one.workdir,
      workflowPath: one.workflow_path,
      event: one.event,
      expected: one.expected_result,
      expectedError: one.expected_error,
      files: workflowFiles(root, one.workflow_path),
      inputs: { ...eventInputs(root, one.workflow_path), ...(one.config?.Inputs ?? {}) },
      userMatrix: Boolean(one.config?.Matrix),
      rows: [one],
    });
  }
  return [...cases.values()];
}
