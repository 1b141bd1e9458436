import { createCallerFactory, createTRPCRouter } from "../trpc";
import { apiTokensRouter } from "./apiTokens/_router";
import { approvalsRouter } from "./approvals/_router";
import { annotationsRouter } from "./annotations/_router";
import { artifactsRouter } from "./artifacts/_router";
import { auditRouter } from "./audit/_router";
import { environmentsRouter } from "./environments/_router";
import { healthRouter } from "./health";
import { invitationsRouter } from "./invitations/_router";
import { logsRouter } from "./logs/_router";
import { membersRouter } from "./members/_router";
import { repositoriesRouter } from "./repositories/_router";
import { runnersRouter } from "./runners/_router";
import { runsRouter } from "./runs/_router";
import { secretsRouter } from "./secrets/_router";
import { tenantsRouter } from "./tenants/_router";
import { variablesRouter } from "./variables/_router";

export const appRouter = createTRPCRouter({
  health: healthRouter,
  tenants: tenantsRouter,
  runs: runsRouter,
  logs: logsRouter,
  runners: runnersRouter,
  approvals: approvalsRouter,
  secrets: secretsRouter,
  audit: auditRouter,
  apiTokens: apiTokensRouter,
  repositories: repositoriesRouter,
  environments: environmentsRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  variables: variablesRouter,
  artifacts: artifactsRouter,
  annotations: annotationsRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side calls (server components, tests) without HTTP. */
export const createCaller = createCallerFactory(appRouter);
