// The platform's failures, told apart from the job's where they are raised (never by matching messages): the
// sandbox did not start or died outside a step, the runner's own disk filled, the control plane stayed unreachable.
// The attempt is then reported with `failureCause: "infrastructure"` and the control plane retries the job on
// another runner within its budget (docs/runner-protocol.md). A step's own failure, a step killed at its memory
// limit and a cancelled job are never this.
export class InfrastructureError extends Error {
  override readonly name = "InfrastructureError";
}

/** A write on the runner's own disk (not the job's quota volume) failed for lack of room. */
export function hostDiskFull(error: unknown): boolean {
  return error instanceof Error && "code" in error && (error.code === "ENOSPC" || error.code === "EDQUOT");
}
