import { createTRPCRouter, viewerProcedure } from "../../trpc";
import { decideApprovalHandler } from "./decide.handler";
import { decideApprovalInput } from "./decide.schema";
import { listApprovalsHandler } from "./list.handler";
import { listApprovalsInput } from "./list.schema";
import { pendingApprovalsHandler } from "./pending.handler";
import { pendingApprovalsInput } from "./pending.schema";

export const approvalsRouter = createTRPCRouter({
  list: viewerProcedure.input(listApprovalsInput).query(listApprovalsHandler),
  pending: viewerProcedure.input(pendingApprovalsInput).query(pendingApprovalsHandler),
  // Any member may ask; the handler checks the environment's reviewers (or the maintainer role).
  decide: viewerProcedure.input(decideApprovalInput).mutation(decideApprovalHandler),
});
