// The two ways a command fails, by exit status (docs/cli.md): 2 the command line is wrong (nothing was asked of the
// server), 1 the server refused it, could not be reached, or the run it watched did not succeed.

/** Exit 2: bad arguments; the message says which and how to write them. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Exit 1: refused or failed; the message is one line with the reason (the server's own when it gave one). */
export class CommandFailed extends Error {
  override name = "CommandFailed";
}
