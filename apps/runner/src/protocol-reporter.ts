// A job's log chunks and step reports, sent to the control plane (`logs`, `step`) with the attempt's job token.
// Network errors, 5xx and 429 are retried with capped, jittered backoff for a while (the LogStream's bounded
// queue holds the job's output back meanwhile); a refusal (4xx: lost attempt, conflicting chunk) fails at once.
// A control plane still unreachable when the retries run out fails the job as the platform's failure
// (InfrastructureError): the job is retried, its steps were fine as far as anyone knows.
import type { Assignment, StepAnnotation, StepReportRequest } from "@gantry/runner-protocol";
import type { Annotation } from "./execution/annotations";
import type { StepOutcome } from "./execution/types";
import { InfrastructureError } from "./infrastructure-error";
import { ProtocolError, type ProtocolClient } from "./protocol-client";
import { retryTransient } from "./retry";
import type { JobReporter } from "./sandbox-executor";

const STATUS: Record<StepOutcome, StepReportRequest["status"]> = { success: "SUCCEEDED", failure: "FAILED", cancelled: "CANCELED", skipped: "SKIPPED" };
const MAX_ANNOTATIONS = 200;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function annotationOf({ stepIndex: _step, message, title, file, ...rest }: Annotation): StepAnnotation {
  return { ...rest, message: clip(message, 4096), ...(title !== undefined ? { title: clip(title, 1024) } : {}), ...(file !== undefined ? { file: clip(file, 1024) } : {}) };
}

export interface ProtocolReporterOptions {
  /** Aborts when the attempt belongs to nobody any more: stop retrying. */
  kill: AbortSignal;
  log: (line: string) => void;
  /** How long one message is retried before the job fails with the last error. */
  retryForMs?: number;
}

export function protocolReporter(client: ProtocolClient, assignment: Assignment, options: ProtocolReporterOptions): JobReporter {
  const { jobToken, attemptId } = assignment;
  const retryForMs = options.retryForMs ?? 120_000;

  const deliver = async <T>(what: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await retryTransient(`${what} for ${assignment.job.key}`, send, { kill: options.kill, log: options.log, retryForMs });
    } catch (error) {
      if (error instanceof ProtocolError && error.retryable && !options.kill.aborted) {
        throw new InfrastructureError(`the control plane was unreachable for ${what} (retried for ${Math.round(retryForMs / 1000)} s): ${error.message}`, { cause: error });
      }
      throw error;
    }
  };

  return {
    appendLogs: async (chunks) => {
      const what = chunks.length === 1 ? `log chunk ${chunks[0]?.seq}` : `log chunks ${chunks[0]?.seq}–${chunks.at(-1)?.seq}`;
      await deliver(what, () => client.appendLogs(jobToken, { attemptId, chunks }));
    },
    stepStarted: async (step) => {
      const body: StepReportRequest = { attemptId, index: step.index, name: clip(step.name, 500), status: "RUNNING", startedAt: step.startedAt, outputs: {}, annotations: [], ...(step.id ? { stepId: step.id } : {}) };
      await deliver(`step ${step.index} start`, () => client.reportStep(jobToken, body));
    },
    stepFinished: async (report) => {
      const body: StepReportRequest = {
        attemptId,
        index: report.index,
        name: clip(report.name, 500),
        status: STATUS[report.outcome],
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
        outputs: report.outputs,
        annotations: report.annotations.slice(0, MAX_ANNOTATIONS).map(annotationOf),
        ...(report.id ? { stepId: report.id } : {}),
        ...(report.summary !== undefined ? { summary: report.summary } : {}),
      };
      await deliver(`step ${report.index} report`, () => client.reportStep(jobToken, body));
    },
  };
}
