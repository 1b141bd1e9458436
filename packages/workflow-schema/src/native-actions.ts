/**
 * The actions Gantry implements natively (DESIGN.md), at any version: their inputs (union over the
 * major versions people use) and outputs. Used to check `with:` and to type `steps.<id>.outputs`.
 */
export interface NativeAction {
  inputs: readonly string[];
  required: readonly string[];
  outputs: readonly string[];
}

export const NATIVE_ACTIONS: Record<string, NativeAction> = {
  "actions/checkout": {
    inputs: [
      "repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "persist-credentials", "path",
      "clean", "filter", "sparse-checkout", "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags", "show-progress",
      "lfs", "submodules", "set-safe-directory", "github-server-url",
    ],
    required: [],
    outputs: ["ref", "commit"],
  },
  "actions/cache": {
    inputs: ["path", "key", "restore-keys", "upload-chunk-size", "enableCrossOsArchive", "fail-on-cache-miss", "lookup-only", "save-always"],
    required: ["path", "key"],
    outputs: ["cache-hit", "cache-primary-key", "cache-matched-key"],
  },
  "actions/upload-artifact": {
    inputs: ["name", "path", "if-no-files-found", "retention-days", "compression-level", "overwrite", "include-hidden-files"],
    required: ["path"],
    outputs: ["artifact-id", "artifact-url", "artifact-digest"],
  },
  "actions/download-artifact": {
    inputs: ["name", "path", "pattern", "merge-multiple", "github-token", "repository", "run-id", "artifact-ids"],
    required: [],
    outputs: ["download-path"],
  },
};

/** `actions/cache@v4` → its entry; undefined for anything else. */
export function nativeAction(uses: string): { name: string; action: NativeAction } | undefined {
  const at = uses.indexOf("@");
  if (at <= 0) return undefined;
  const name = uses.slice(0, at).toLowerCase();
  const action = NATIVE_ACTIONS[name];
  return action ? { name, action } : undefined;
}
