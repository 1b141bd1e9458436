// The development executor (`process` provider): runs a job's `run` steps with bash on this host, in a fresh
// workspace that is removed afterwards. No isolation, so it refuses untrusted (fork) runs. Sandboxed providers
// (bwrap, gvisor, microvm) replace it where the host has them.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Assignment } from "@gantry/runner-protocol";
import { evaluateExpression } from "@gantry/workflow-schema";
import { parseFileCommands } from "./file-commands";
import type { JobExecutor, JobOutcome } from "./job-executor";

type StepResult = { outcome: "success" | "failure" | "cancelled" | "skipped"; conclusion: "success" | "failure" | "cancelled" | "skipped"; outputs: Record<string, string> };

const interpolate = (text: string, contexts: Record<string, unknown>): string => {
  if (!text.includes("${{")) return text;
  const result = evaluateExpression(text, contexts);
  if (!result.ok) throw new Error(`expression in ${JSON.stringify(text.slice(0, 60))}: ${result.error}`);
  return typeof result.value === "string" ? result.value : JSON.stringify(result.value);
};

function runScript(command: string[], cwd: string, env: Record<string, string>, signal: AbortSignal, log: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0] ?? "bash", command.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const forward = (chunk: Buffer) => chunk.toString().split("\n").filter(Boolean).forEach(log);
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    const stop = () => child.pid && process.kill(-child.pid, "SIGKILL");
    signal.addEventListener("abort", stop, { once: true });
    child.on("close", (code) => {
      signal.removeEventListener("abort", stop);
      resolve(code ?? 1);
    });
  });
}

export function shellExecutor(log: (line: string) => void = console.log): JobExecutor {
  return async (assignment: Assignment, signal: AbortSignal): Promise<JobOutcome> => {
    if (!assignment.run.trusted) return { conclusion: "FAILED", outputs: {}, failureReason: "the process provider does not run untrusted (fork) jobs" };
    const workspace = mkdtempSync(path.join(os.tmpdir(), "gantry-job-"));
    const files = mkdtempSync(path.join(os.tmpdir(), "gantry-files-"));
    const steps: Record<string, StepResult> = {};
    let env: Record<string, string> = { ...assignment.job.env };
    let failed = false;
    try {
      const github = { event_name: assignment.run.event, ref: assignment.run.ref, sha: assignment.run.sha, repository: assignment.run.repository, run_id: assignment.run.id, run_number: assignment.run.number, workspace };
      for (const step of assignment.job.steps) {
        const contexts = { github, env, matrix: assignment.job.matrix ?? {}, needs: assignment.needs, steps, job: { status: failed ? "failure" : "success" }, runner: { os: "Linux", temp: files }, inputs: {}, vars: {}, secrets: {} };
        const condition = evaluateExpression(step.if, contexts, {
          success: () => !failed && !signal.aborted,
          failure: () => failed,
          cancelled: () => signal.aborted,
          always: () => true,
        });
        const label = step.name ?? step.id ?? step.run?.split("\n")[0] ?? step.uses ?? `step ${step.index}`;
        const record = (result: StepResult) => {
          if (step.id) steps[step.id] = result;
        };
        if (!condition.ok || !condition.value) {
          if (!condition.ok) log(`[${label}] if: ${condition.error}`);
          record({ outcome: "skipped", conclusion: "skipped", outputs: {} });
          if (!condition.ok) failed = true;
          continue;
        }
        let code: number;
        const outputFile = path.join(files, `output-${step.index}`);
        const envFile = path.join(files, `env-${step.index}`);
        writeFileSync(outputFile, "");
        writeFileSync(envFile, "");
        if (step.uses?.startsWith("actions/checkout@")) {
          code = assignment.run.repositoryUrl
            ? await runScript(["bash", "-ec", `git clone --quiet "$0" . && git checkout --quiet "$1"`, assignment.run.repositoryUrl, assignment.run.sha], workspace, { PATH: process.env.PATH ?? "", HOME: os.homedir() }, signal, (line) => log(`[${label}] ${line}`))
            : 1;
        } else if (step.run !== undefined) {
          const stepEnv = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, interpolate(v, contexts)]));
          const script = path.join(files, `step-${step.index}.sh`);
          writeFileSync(script, interpolate(step.run, contexts));
          const shell = step.shell === "sh" ? ["sh", "-e", script] : ["bash", "--noprofile", "--norc", "-eo", "pipefail", script];
          const cwd = step.workingDirectory ? path.resolve(workspace, step.workingDirectory) : workspace;
          code = await runScript(shell, cwd, { PATH: process.env.PATH ?? "", HOME: os.homedir(), CI: "true", GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: outputFile, GITHUB_ENV: envFile, GITHUB_SHA: assignment.run.sha, GITHUB_REF: assignment.run.ref, RUNNER_OS: "Linux", ...env, ...stepEnv }, signal, (line) => log(`[${label}] ${line}`));
        } else {
          log(`[${label}] ${step.uses ?? "this step"} is not supported by the process executor`);
          code = 1;
        }
        env = { ...env, ...parseFileCommands(readFileSync(envFile, "utf8")) };
        const outputs = parseFileCommands(readFileSync(outputFile, "utf8"));
        const continueOnError = step.continueOnError === true || step.continueOnError === "true";
        const outcome = signal.aborted ? "cancelled" : code === 0 ? "success" : "failure";
        record({ outcome, conclusion: outcome === "failure" && continueOnError ? "success" : outcome, outputs });
        if (outcome === "failure" && !continueOnError) failed = true;
      }
      if (signal.aborted) return { conclusion: "CANCELED", outputs: {} };
      const contexts = { steps, env, matrix: assignment.job.matrix ?? {}, needs: assignment.needs };
      const outputs = Object.fromEntries(Object.entries(assignment.job.outputs).map(([k, v]) => [k, interpolate(v, contexts)]));
      return failed ? { conclusion: "FAILED", outputs, failureReason: "a step failed" } : { conclusion: "SUCCEEDED", outputs };
    } finally {
      rmSync(workspace, { recursive: true, force: true });
      rmSync(files, { recursive: true, force: true });
    }
  };
}
