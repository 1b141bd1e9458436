// The header's facts about what started the run: the trigger, who, the commit (sha and message), the branch or tag,
// and the workflow file at that commit — linked when the repository has a web page, at the line of the first error
// of that file when the workflow was refused.
import type { LoadedRun } from "./load-run";
import { fileAtCommitUrl } from "./file-at-commit";

export function RunOriginLine({ run }: { run: LoadedRun }) {
  const actor = run.origin.actor ?? run.triggeredBy;
  const firstError = run.errors.find((error) => error.file === run.workflowPath);
  const workflowUrl = fileAtCommitUrl(run.origin.repositoryUrl, run.sha, run.workflowPath, firstError?.line);
  const workflowLabel = `${run.workflowPath}${firstError ? `:${firstError.line}` : ""}`;
  return (
    <dl className="run-origin small" data-testid="run-origin">
      <div>
        <dt>Trigger</dt>
        <dd data-testid="run-event">{run.event}</dd>
      </div>
      {actor && (
        <div>
          <dt>Actor</dt>
          <dd data-testid="run-actor">{actor}</dd>
        </div>
      )}
      <div>
        <dt>Commit</dt>
        <dd>
          <code title={run.sha}>{run.sha.slice(0, 7)}</code>
          {run.origin.commitMessage && <span data-testid="run-commit-message"> {run.origin.commitMessage.split("\n")[0]}</span>}
        </dd>
      </div>
      <div>
        <dt>{run.ref.startsWith("refs/tags/") ? "Tag" : "Branch"}</dt>
        <dd data-testid="run-ref">{run.ref.replace(/^refs\/(heads|tags)\//, "")}</dd>
      </div>
      <div>
        <dt>Workflow</dt>
        <dd data-testid="run-workflow-file">
          {workflowUrl ? (
            <a href={workflowUrl} rel="noreferrer">
              {workflowLabel}
            </a>
          ) : (
            <code>{workflowLabel}</code>
          )}{" "}
          <span className="muted">at {run.sha.slice(0, 7)}</span>
        </dd>
      </div>
    </dl>
  );
}
