// One attempt's remote actions through the control plane: resolve with the job token, the archive from the signed
// URL it answers. Transient errors are retried; a refusal (policy, unknown ref) is not.
import type { Assignment } from "@gantry/runner-protocol";
import type { ActionsOptions } from "./execution/types";
import type { ProtocolClient } from "./protocol-client";
import { retryTransient, type RetryOptions } from "./retry";

export function protocolActions(client: ProtocolClient, assignment: Assignment, options: Omit<RetryOptions, "retryForMs"> & { retryForMs?: number }): Pick<ActionsOptions, "resolve" | "download"> {
  const retry = { ...options, retryForMs: options.retryForMs ?? 120_000 };
  return {
    resolve: (uses, stepIndex) => retryTransient(`resolve ${uses}`, () => client.resolveAction(assignment.jobToken, assignment.attemptId, uses, stepIndex), retry),
    download: (url, file) => retryTransient("action download", () => client.downloadAction(url, file), retry),
  };
}
