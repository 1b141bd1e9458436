import { createTRPCRouter, viewerProcedure } from "../../trpc";
import { searchLogsHandler } from "./search.handler";
import { searchLogsInput } from "./search.schema";

export const logsRouter = createTRPCRouter({
  // Log search across the tenant's runs (docs/web.md "Log search").
  search: viewerProcedure.input(searchLogsInput).query(searchLogsHandler),
});
