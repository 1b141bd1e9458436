import { createTRPCRouter, viewerProcedure } from "../../trpc";
import { listAnnotationsHandler } from "./list.handler";
import { listAnnotationsInput } from "./list.schema";

// A run's annotations (docs/web.md "Annotations").
export const annotationsRouter = createTRPCRouter({
  list: viewerProcedure.input(listAnnotationsInput).query(listAnnotationsHandler),
});
