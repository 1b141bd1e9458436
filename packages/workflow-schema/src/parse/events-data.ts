/** GitHub webhook events that can trigger a workflow, with their activity types (null: none, "*": any). */
const PR_TYPES = [
  "assigned", "unassigned", "labeled", "unlabeled", "opened", "edited", "closed", "reopened", "synchronize",
  "converted_to_draft", "locked", "unlocked", "enqueued", "dequeued", "milestoned", "demilestoned",
  "ready_for_review", "review_requested", "review_request_removed", "auto_merge_enabled", "auto_merge_disabled",
];

export const GITHUB_EVENTS: Record<string, readonly string[] | null | "*"> = {
  branch_protection_rule: ["created", "edited", "deleted"],
  check_run: ["created", "rerequested", "completed", "requested_action"],
  check_suite: ["completed"],
  create: null,
  delete: null,
  deployment: null,
  deployment_status: null,
  discussion: ["created", "edited", "deleted", "transferred", "pinned", "unpinned", "labeled", "unlabeled", "locked", "unlocked", "category_changed", "answered", "unanswered"],
  discussion_comment: ["created", "edited", "deleted"],
  fork: null,
  gollum: null,
  image_version: ["created", "ready"],
  issue_comment: ["created", "edited", "deleted"],
  issues: ["opened", "edited", "deleted", "transferred", "pinned", "unpinned", "closed", "reopened", "assigned", "unassigned", "labeled", "unlabeled", "locked", "unlocked", "milestoned", "demilestoned", "typed", "untyped"],
  label: ["created", "edited", "deleted"],
  merge_group: ["checks_requested"],
  milestone: ["created", "closed", "opened", "edited", "deleted"],
  page_build: null,
  project: ["created", "closed", "reopened", "edited", "deleted"],
  project_card: ["created", "moved", "converted", "edited", "deleted"],
  project_column: ["created", "updated", "moved", "deleted"],
  public: null,
  pull_request: PR_TYPES,
  pull_request_review: ["submitted", "edited", "dismissed"],
  pull_request_review_comment: ["created", "edited", "deleted"],
  pull_request_target: PR_TYPES,
  push: null,
  registry_package: ["published", "updated"],
  release: ["published", "unpublished", "created", "edited", "deleted", "prereleased", "released"],
  repository_dispatch: "*",
  schedule: null,
  status: null,
  watch: ["started"],
  workflow_call: null,
  workflow_dispatch: null,
  workflow_run: ["completed", "requested", "in_progress"],
};

/**
 * Events GitHub's Apps deliver (or Gantry makes itself: schedule, workflow_dispatch, workflow_call, workflow_run,
 * repository_dispatch) that Gantry can run (docs/triggers.md). Refused with `unsupported-event`: `image_version`
 * (container registry events no App subscription delivers) and the classic `project*` events GitHub retired.
 */
export const UNSUPPORTED_EVENTS = ["image_version", "project", "project_card", "project_column"];
export const SUPPORTED_EVENTS = Object.keys(GITHUB_EVENTS).filter((e) => !UNSUPPORTED_EVENTS.includes(e));

export const FILTER_KEYS: Record<string, readonly string[]> = {
  push: ["branches", "branches-ignore", "paths", "paths-ignore", "tags", "tags-ignore"],
  pull_request: ["branches", "branches-ignore", "paths", "paths-ignore", "types"],
  pull_request_target: ["branches", "branches-ignore", "paths", "paths-ignore", "types"],
  // GitHub matches the review events' branch filters against the pull request's base branch, as for pull_request.
  pull_request_review: ["branches", "branches-ignore", "types"],
  pull_request_review_comment: ["branches", "branches-ignore", "types"],
  workflow_run: ["branches", "branches-ignore", "types", "workflows"],
  merge_group: ["branches", "branches-ignore", "types"],
  image_version: ["names", "types", "versions"],
};

export const DISPATCH_INPUT_TYPES = ["boolean", "choice", "environment", "number", "string"];
export const CALL_INPUT_TYPES = ["boolean", "number", "string"];
