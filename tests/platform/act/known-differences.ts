// Cases of act's table where Gantry ends differently from act — each with why. The conformance test fails on any
// other difference, and says so when a case listed here starts to agree (then take it off the list).
/**
 * act-only: act behaviour or options GitHub Actions does not have (Gantry follows GitHub); decision: Gantry decides
 * otherwise on purpose; not-built: a feature Gantry means to have and does not yet — these count against agreement.
 */
export type DifferenceKind = "act-only" | "decision" | "not-built";

export const KNOWN_DIFFERENCES: Record<string, { kind: DifferenceKind; why: string }> = {
  // act behaviours GitHub Actions does not have; Gantry follows GitHub.
  "evalmatrixneeds2@push": { kind: "act-only", why: "a matrix key written as an expression (`${{ needs.prepare.outputs.helix }}:`): act evaluates expressions in mapping keys; GitHub documents them in values only, and Gantry keeps the key as written" },
  "evalmatrix-merge-map@push": { kind: "act-only", why: "`${{ insert }}` keys: act's template directive (from Azure Pipelines); GitHub does not document it and Gantry keeps the key as written" },
  "evalmatrix-merge-array@push": { kind: "act-only", why: "an array-valued expression inside a matrix list: act splices its items into the list; Gantry, as GitHub's documented model, makes it one value" },
  "if-env-act@push": { kind: "act-only", why: "act sets `ACT=true` in every job so a workflow can tell it runs under act; Gantry is not act" },
  "defaults-run@push": { kind: "act-only", why: "act's containers set SHELL to the step's shell; GitHub's runner and Gantry's sandboxes do not set SHELL per step" },
  "workdir@push": { kind: "act-only", why: "act runs jobs as root in a container whose home is /root; Gantry's sandboxes run unprivileged and have no /root" },
  "networking@push": { kind: "act-only", why: "the job installs packages with apt as root over the network; Gantry's sandboxes have a read-only system and, by default, no network egress" },
  "input-from-cli@workflow_dispatch": { kind: "act-only", why: "the workflow reads `github.event.inputs.SOME_INPUT`, an input it does not declare, which act's test passes on the command line; Gantry (like actionlint) rejects the undeclared property when it checks the workflow, and runs.dispatch refuses undeclared inputs as GitHub does" },
  "matrix-with-user-inclusions@push": { kind: "act-only", why: "act's test passes `--matrix` to keep some cells (an act command-line option; GitHub has none), and the other cells ask for macos-latest, which no pool here serves" },
  // Platform decisions.
  "matrix@push": { kind: "decision", why: "cells ask for macos-latest: act skips a job it has no platform for and calls that success; Gantry fails a job no runner pool serves, at once and with that reason (issue #5)" },
  "matrix-include-exclude@push": { kind: "decision", why: "cells ask for macos-latest and ubuntu-16.04: act skips them and calls that success; Gantry fails a job no runner pool serves, at once and with that reason (issue #5)" },
  "commands@push": { kind: "decision", why: "`::set-env` and `::add-path` on stdout: refused, as GitHub does since CVE-2020-15228; Gantry does not honour ACTIONS_ALLOW_UNSECURE_COMMANDS" },
  // Not built yet (issue #6).
  "secrets@push": { kind: "act-only", why: "the secrets (act's `.secrets` file, set here as the repository's) pass; the last two steps read `env.HELLO` and `env.MULTILINE_ENV` from act's `--env-file` option, which GitHub has no equivalent of" },
};
