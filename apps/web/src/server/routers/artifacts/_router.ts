import { createTRPCRouter, maintainerProcedure, viewerProcedure } from "../../trpc";
import { deleteArtifactHandler } from "./delete.handler";
import { downloadArtifactHandler } from "./download.handler";
import { listArtifactsHandler } from "./list.handler";
import { artifactInput, listArtifactsInput } from "./list.schema";

// A run's artifacts (docs/artifacts-and-caches.md "On the run page").
export const artifactsRouter = createTRPCRouter({
  list: viewerProcedure.input(listArtifactsInput).query(listArtifactsHandler),
  download: viewerProcedure.input(artifactInput).query(downloadArtifactHandler),
  delete: maintainerProcedure.input(artifactInput).mutation(deleteArtifactHandler),
});
