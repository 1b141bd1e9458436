export { jobCatalog, parsePayload, type JobName, type JobPayload, type JobDefinition } from "./job-catalog";
export { Queues, type AddOptions } from "./queues";
export { requestAdvanceAfterJobEnd } from "./advance-after-job-end";
export { gitPushPayload, type GitPushPayload } from "./git-push";
export { workflowDispatchPayload, dispatchRunKey, type WorkflowDispatchPayload } from "./workflow-dispatch";
export { scheduleJobTimeout, scheduleGateTimer, scheduleJobRetry } from "./timeouts";
export { requestCheckReports, type CheckReportRequest } from "./check-reports";
export { scheduledRunKey, cronOfScheduledRun } from "./scheduled-runs";

/** The job id of an attempt's token revocation: one per attempt, so every path that ends it may enqueue it. */
export const revokeGithubTokenJobId = (attemptId: string) => `revoke-token-${attemptId}`;
/** The job id of an attempt's log indexing (log search): one per attempt, from the complete route and the catch-up. */
export const indexAttemptLogJobId = (attemptId: string) => `index-log-${attemptId}`;
export {
  WORKFLOW_RUN_CHAIN_LIMIT,
  WORKFLOW_RUN_ACTIONS,
  workflowRunDeliveryId,
  triggeringRunOf,
  workflowRunEvent,
  repositoryDispatchBody,
  repositoryDispatchEventPayload,
  repositoryDispatchDeliveryId,
  type WorkflowRunAction,
  type WorkflowRunEvent,
  type RepositoryDispatchBody,
} from "./gantry-events";
