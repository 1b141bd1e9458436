// Shared test helpers: a planned job from a few fields, a collecting log sink, and polling with a deadline.
import type { PlannedJob, PlannedStep } from "@gantry/workflow-schema";
export { until } from "@gantry/testing";
import { executeJob } from "../../src/execution/job-executor";
import { LogStream, type LogChunk } from "../../src/execution/log-stream";
import type { JobContextValues, JobResult } from "../../src/execution/types";
import type { Sandbox, SandboxProvider, SandboxSpec } from "../../src/sandbox/types";

export function step(index: number, fields: Partial<PlannedStep>): PlannedStep {
  return { index, if: "success()", env: {}, with: {}, continueOnError: false, ...fields };
}

export function job(steps: PlannedStep[], fields: Partial<PlannedJob> = {}): PlannedJob {
  return { key: "build", jobId: "build", name: "build", needs: [], runsOn: ["linux-x64"], timeoutMinutes: 360, continueOnError: false, steps, outputs: {}, env: {}, failFast: true, retry: { maxAttempts: 1, on: "platform" }, ...fields };
}

export function collectingLog(options: { maxJobBytes?: number } = {}): { log: LogStream; chunks: LogChunk[]; text: () => string } {
  const chunks: LogChunk[] = [];
  const log = new LogStream({ sink: async (batch) => void chunks.push(...batch), ...options });
  return { log, chunks, text: () => chunks.map((c) => c.data).join("") };
}

export async function runJob(provider: SandboxProvider, planned: PlannedJob, contexts: Partial<JobContextValues> = {}, spec: SandboxSpec = { untrusted: false }): Promise<{ result: JobResult; text: string; sandbox: Sandbox }> {
  const sandbox = await provider.prepare(spec);
  const { log, text } = collectingLog();
  try {
    const result = await executeJob({ job: planned, sandbox, log, contexts: { github: { repository: "acme/app", sha: "abc123", ref: "refs/heads/main", event_name: "push" }, ...contexts } });
    await log.close();
    return { result, text: text(), sandbox };
  } finally {
    await sandbox.destroy();
  }
}

export async function collect(output: AsyncIterable<Buffer>): Promise<string> {
  let text = "";
  for await (const chunk of output) text += chunk.toString();
  return text;
}
