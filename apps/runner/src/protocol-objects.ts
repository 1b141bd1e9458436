// One attempt's artifact and cache transfers through the control plane: grants with the job token, bytes to and
// from the signed URLs it answers (no token goes with those).
import type { Assignment } from "@gantry/runner-protocol";
import type { ObjectTransfer } from "./execution/object-actions";
import type { ProtocolClient } from "./protocol-client";

export function protocolObjects(client: ProtocolClient, assignment: Assignment): ObjectTransfer {
  const { jobToken, attemptId } = assignment;
  return {
    artifact: (body) => client.artifact(jobToken, { ...body, attemptId }),
    cache: (body) => client.cache(jobToken, { ...body, attemptId }),
    put: async (grant, file, sizeBytes) => void (await client.putObject(grant, file, sizeBytes)),
    get: (grant, file) => client.getObject(grant, file),
  };
}
