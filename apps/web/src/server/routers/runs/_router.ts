import { createTRPCRouter, viewerProcedure } from "../../trpc";
import { listRunsHandler } from "./list.handler";
import { listRunsInput } from "./list.schema";

export const runsRouter = createTRPCRouter({
  list: viewerProcedure.input(listRunsInput).query(listRunsHandler),
});
