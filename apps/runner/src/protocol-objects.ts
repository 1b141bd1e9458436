// One attempt's artifact and cache transfers through the control plane: grants with the job token, bytes to and
// from the signed URLs it answers (no token goes with those).
import type { Assignment } from "@gantry/runner-protocol";
import type { ObjectTransfer } from "./execution/object-actions";
import type { ProtocolClient } from "./protocol-client";
import { retryTransient, type RetryOptions } from "./retry";

/** Each call is retried through network errors, 5xx and 429 (a GET or PUT within its URL's lifetime). */
export function protocolObjects(client: ProtocolClient, assignment: Assignment, options: Omit<RetryOptions, "retryForMs"> & { retryForMs?: number }): ObjectTransfer {
  const { jobToken, attemptId } = assignment;
  const retry = { ...options, retryForMs: options.retryForMs ?? 120_000 };
  return {
    artifact: (body) => retryTransient(`artifact ${body.op} ${body.name}`, () => client.artifact(jobToken, { ...body, attemptId }), retry),
    cache: (body) => retryTransient(`cache ${body.op} ${body.key}`, () => client.cache(jobToken, { ...body, attemptId }), retry),
    put: async (grant, file, sizeBytes) => void (await retryTransient("object upload", () => client.putObject(grant, file, sizeBytes), retry)),
    get: (grant, file) => retryTransient("object download", () => client.getObject(grant, file), retry),
  };
}
