// How much a run is trusted, said where it matters: a pull_request_target run executes the base branch's
// workflow with the repository's secrets while the pull request's code is one checkout away, and a fork's run
// gets no secrets at all.

export const PULL_REQUEST_TARGET_WARNING =
  "This run comes from a pull request but uses the base branch's workflow and the repository's secrets (pull_request_target): if the workflow checks out and builds or runs the pull request's code, that code can read those secrets.";

export function UntrustedBadge({ trusted }: { trusted: boolean }) {
  if (trusted) return null;
  return (
    <span className="badge badge-warn" data-testid="untrusted-badge" title="Secrets are withheld and the strongest sandbox is used.">
      from a fork: untrusted, no secrets
    </span>
  );
}

export function PullRequestTargetBanner({ event }: { event: string }) {
  if (event !== "pull_request_target") return null;
  return (
    <div className="banner banner-warn" role="alert" data-testid="pull-request-target-warning">
      <strong>Secrets next to pull request code.</strong> {PULL_REQUEST_TARGET_WARNING}
    </div>
  );
}
