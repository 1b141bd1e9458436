// A local action's metadata (`uses: ./path` → path/action.yml or action.yaml), read from the workspace when the step
// runs — as on GitHub, the action may come from the checkout or be written by an earlier step. The files are the
// job's to shape (a symlink to a host file, a FIFO, a huge file), so they are read like the step files: through
// safe-fs (no link followed anywhere in the path, inside the workspace), size-capped.
import path from "node:path";
import { readActionManifest, type ManifestResult } from "./action-manifest";
import { openDir, openRoot, UnsafePathError, withFd } from "./safe-fs";

export function isLocalAction(uses: string): boolean {
  return uses === "." || uses.startsWith("./");
}

/** The metadata of the local action at `uses`, with `workspace` the job's workspace on the host. */
export function readLocalAction(workspace: string, uses: string): ManifestResult {
  let dir: number;
  try {
    dir = withFd(openRoot(workspace), (root) => openDir(root, uses));
  } catch (error) {
    if (!(error instanceof UnsafePathError)) throw error;
    if (error.reason === "missing") return { ok: false, error: `local action ${uses}: no such directory in the workspace (did a checkout step run first?)` };
    return { ok: false, error: `local action ${uses}: ${error.message}` };
  }
  return withFd(dir, (fd) => readActionManifest(fd, `local action ${uses}`, (name) => path.posix.join(uses, name)));
}
