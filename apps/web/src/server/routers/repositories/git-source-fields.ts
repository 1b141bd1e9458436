// A plain git server as the connect form and repositories.connectGit take it (the same schema validates both).
import { z } from "zod";

/** A clone URL the worker's git can fetch: http(s)://, ssh://, git://, file://, user@host:path, or an absolute path. */
export const gitUrl = z
  .string()
  .trim()
  .min(1, "give the repository's clone URL")
  .max(2000)
  .regex(/^(?:(?:https?|ssh|git|file):\/\/\S+|[\w.-]+@[\w.-]+:\S+|\/\S*)$/, "a clone URL: https://…, ssh://…, git://…, user@host:path, or an absolute path on the worker's host");

export const gitSourceName = z
  .string()
  .trim()
  .min(1, "give the git source a name")
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-'");

/** owner/name, as pushes name it (the hook's gantry.repository). */
export const repositoryFullName = z
  .string()
  .trim()
  .min(1, "give the repository a name")
  .max(200)
  .regex(/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/, "a name such as team/app: letters, digits, '.', '_', '-' and '/'");

export const branchName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^(?!\/|.*\/\/|.*\.\.|.*\/$)[^\s~^:?*[\\]+$/, "a branch name git accepts");
