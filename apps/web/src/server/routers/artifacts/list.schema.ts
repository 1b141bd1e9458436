import { z } from "zod";
import { tenantInput } from "../../trpc";

/** A run's artifacts. */
export const listArtifactsInput = tenantInput.extend({ runId: z.string().min(1).max(100) });
export type ListArtifactsInput = z.infer<typeof listArtifactsInput>;

/** One artifact of a run, by the name its workflow gave it (unique in the run). */
export const artifactInput = listArtifactsInput.extend({
  name: z.string().min(1, "an artifact name is required").max(256, "artifact names are at most 256 characters"),
});
export type ArtifactInput = z.infer<typeof artifactInput>;
