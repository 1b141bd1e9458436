// Post phases, run after the job's steps, last registered first, as GitHub runs them — also after a failure or a
// cancel. Each decides for itself whether it runs with the job's status then: a JavaScript action's `post-if`
// (default always()), a native action's post only after success (actions/cache saves only a good build) unless it must always run.
import type { JobStatus } from "./conditions";
import type { NativePost } from "./types";

export interface PostIo {
  /** The job's status when the posts start. */
  status: JobStatus;
  write: (text: string) => Promise<void>;
  signal: AbortSignal;
}

export interface PendingPost {
  /** The step that registered it (its log gets the post's output). */
  index: number;
  /** Runs the post if it should; an error makes the job fail. */
  run: (io: PostIo) => Promise<{ error?: string }>;
}

export function nativePending(index: number, post: NativePost): PendingPost {
  return {
    index,
    run: async (io) => {
      // A post that always runs (checkout removing the credential it persisted) is not cut short by the cancel
      // that ended the job: the executor hands every post a fresh signal after a cancel.
      if (io.status === "success" || post.always) await post({ write: io.write, signal: io.signal });
      return {};
    },
  };
}
