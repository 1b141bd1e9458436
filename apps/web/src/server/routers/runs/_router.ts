import { createTRPCRouter, viewerProcedure } from "../../trpc";
import { getRunHandler } from "./get.handler";
import { getRunInput } from "./get.schema";
import { listRunsHandler } from "./list.handler";
import { listRunsInput } from "./list.schema";

export const runsRouter = createTRPCRouter({
  list: viewerProcedure.input(listRunsInput).query(listRunsHandler),
  get: viewerProcedure.input(getRunInput).query(getRunHandler),
});
