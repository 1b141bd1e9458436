import { createTRPCRouter, developerProcedure, maintainerProcedure, roleProcedure, viewerProcedure } from "../../trpc";
import { cancelRunHandler } from "./cancel.handler";
import { cancelRunInput } from "./cancel.schema";
import { runCountsHandler } from "./counts.handler";
import { runCountsInput } from "./counts.schema";
import { dispatchRunHandler } from "./dispatch.handler";
import { dispatchRunInput } from "./dispatch.schema";
import { dispatchableHandler, intakePendingHandler } from "./dispatchable.handler";
import { dispatchableInput, intakePendingInput } from "./dispatchable.schema";
import { approveForkRunHandler, rejectForkRunHandler } from "./fork-approval.handler";
import { forkDecisionInput } from "./fork-approval.schema";
import { runFilterChoicesHandler } from "./filterChoices.handler";
import { getRunHandler } from "./get.handler";
import { getRunInput } from "./get.schema";
import { listRunsHandler } from "./list.handler";
import { listRunsInput } from "./list.schema";
import { runLogsHandler } from "./logs.handler";
import { runLogsInput } from "./logs.schema";
import { repositoryDispatchHandler } from "./repository-dispatch.handler";
import { repositoryDispatchInput } from "./repository-dispatch.schema";
import { rerunRunHandler } from "./rerun.handler";
import { RERUN_ROLE, rerunRunInput } from "./rerun.schema";

export const runsRouter = createTRPCRouter({
  list: viewerProcedure.input(listRunsInput).query(listRunsHandler),
  counts: viewerProcedure.input(runCountsInput).query(runCountsHandler),
  filterChoices: viewerProcedure.query(runFilterChoicesHandler),
  get: viewerProcedure.input(getRunInput).query(getRunHandler),
  cancel: developerProcedure.input(cancelRunInput).mutation(cancelRunHandler),
  rerun: roleProcedure(RERUN_ROLE).input(rerunRunInput).mutation(rerunRunHandler),
  // A fork's pull request run held by the tenant's policy (docs/github.md "Pull requests from forks").
  approveFork: maintainerProcedure.input(forkDecisionInput).mutation(approveForkRunHandler),
  rejectFork: maintainerProcedure.input(forkDecisionInput).mutation(rejectForkRunHandler),
  dispatch: developerProcedure.input(dispatchRunInput).mutation(dispatchRunHandler),
  repositoryDispatch: developerProcedure.input(repositoryDispatchInput).mutation(repositoryDispatchHandler),
  dispatchable: viewerProcedure.input(dispatchableInput).query(dispatchableHandler),
  intakePending: viewerProcedure.input(intakePendingInput).query(intakePendingHandler),
  logs: viewerProcedure.input(runLogsInput).query(runLogsHandler),
});
