import { createTRPCRouter, viewerProcedure } from "../../trpc";
import { listRunnersHandler } from "./list.handler";
import { listRunnersInput } from "./list.schema";

export const runnersRouter = createTRPCRouter({
  list: viewerProcedure.input(listRunnersInput).query(listRunnersHandler),
});
