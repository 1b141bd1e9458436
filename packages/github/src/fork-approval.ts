// Whether a pull request run waits for a maintainer's approval under the tenant's fork policy (GitHub's "Require
// approval for first-time contributors"; docs/github.md "Pull requests from forks"). Only runs of a pull request from
// a fork's code are held (`pull_request`, and `pull_request_review[_comment]`, which run the head too):
// `pull_request_target` runs the base branch's workflow and is never held (as on GitHub), and a same-repository pull
// request was pushed by someone who can write to the repository. As on GitHub, the run is held when the pull
// request's author needs approval, or when the user whose action made the event does (a review comment).
//
// Who is a first-time contributor is what GitHub says in the pull request's `author_association`: OWNER, MEMBER and
// COLLABORATOR belong to the repository, CONTRIBUTOR has had a commit merged before; FIRST_TIME_CONTRIBUTOR (never
// contributed here), FIRST_TIMER (never contributed anywhere on GitHub), NONE (no association), MANNEQUIN (an
// unclaimed placeholder account), anything GitHub adds later, and a payload without it are held: when in doubt, ask.
import type { ForkPullRequestPolicy } from "@gantry/db";

/** The associations that run without approval. */
export const RETURNING_ASSOCIATIONS: readonly string[] = ["OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR"];

export interface ForkPullRequestFacts {
  number: number;
  /** The pull request's author (`pull_request.user.login`), when known. */
  author?: string | null | undefined;
  /** `pull_request.author_association`, as GitHub sent it. */
  authorAssociation?: string | null | undefined;
  /** Who made the event, when that is not the pull request itself: a review's or review comment's author. */
  actor?: { login?: string | null | undefined; association?: string | null | undefined } | undefined;
  /** The head repository's `owner/name`; null: the fork was deleted. */
  headRepository: string | null;
  fromFork: boolean;
}

/** Whether the author counts as a first-time contributor (anything but the returning associations). */
export function isFirstTimeContributor(authorAssociation: string | null | undefined): boolean {
  return !authorAssociation || !RETURNING_ASSOCIATIONS.includes(authorAssociation);
}

/** Why the pull request's run waits for approval; null: it runs at once. */
export function forkApprovalReason(policy: ForkPullRequestPolicy, pull: ForkPullRequestFacts): string | null {
  if (policy !== "APPROVE_FIRST_TIME" || !pull.fromFork) return null;
  const people = [{ login: pull.author, association: pull.authorAssociation, role: "the author" }, ...(pull.actor ? [{ ...pull.actor, role: "the event's author" }] : [])];
  const newcomer = people.find((person) => isFirstTimeContributor(person.association));
  if (!newcomer) return null;
  const who = newcomer.login ? `@${newcomer.login}` : newcomer.role;
  const association = newcomer.association ? `GitHub: ${newcomer.association}` : "GitHub did not say";
  const fork = pull.headRepository ? `the fork ${pull.headRepository}` : "a fork since deleted";
  return `pull request #${pull.number} comes from ${fork} and ${who} is a first-time contributor (${association}); the tenant requires a maintainer's approval before it runs`;
}
