// What every place actions come from answers (docs/actions.md "Where actions come from"): a ref → commit lookup
// and the repository's archive at a commit. "Not here" is an answer, not an error, so the next source is tried;
// a source that cannot answer now (GitHub's rate limit) says until when.
import type { RemoteUses } from "./uses";

export type ActionSourceName = "directory" | "github" | "mirror";

export type Lookup =
  | { found: true; sha: string }
  /** `why` names what was tried; `until`: the source is refusing for now (a rate limit), not lacking the action. */
  | { found: false; why: string; until?: Date };

export interface ActionSource {
  readonly name: ActionSourceName;
  /** How the source is named in messages, e.g. "GitHub (installation token)". */
  readonly label: string;
  resolve(uses: RemoteUses): Promise<Lookup>;
  /** The repository's archive at `sha` (gzipped tar, one top folder); `uses.ref` is what the sha was resolved from. */
  download(uses: RemoteUses, sha: string): Promise<Buffer | { missing: string; until?: Date }>;
}

/** Archives larger than this are refused while downloading (the largest of GitHub's own actions is ~15 MiB). */
export const MAX_ACTION_ARCHIVE_BYTES = 256 * 1024 * 1024;

/** A response body read whole, refused past `max` bytes without reading the rest. */
export async function boundedBytes(response: Response, max = MAX_ACTION_ARCHIVE_BYTES): Promise<Buffer | null> {
  if (Number(response.headers.get("content-length") ?? 0) > max) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks);
      size += value.length;
      if (size > max) return null;
      chunks.push(Buffer.from(value));
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
