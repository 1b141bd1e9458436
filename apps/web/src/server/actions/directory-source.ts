// Actions from GANTRY_ACTIONS_DIR (air-gapped installs): `owner/repo/ref/` folders, packed as GitHub's tarball
// (packages/sources ActionsDirectory: how the commit is found, and why nothing is followed out of the folder).
import { ActionsDirectory } from "@gantry/sources";
import type { ActionSource, Lookup } from "./source";
import type { RemoteUses } from "./uses";

export function directorySource(root: string): ActionSource {
  let opened: ActionsDirectory | undefined;
  // Opened per resolution: a directory that is missing or unreadable is a reason in the answer, not a crash.
  const directory = () => (opened ??= new ActionsDirectory(root));
  return {
    name: "directory",
    label: "GANTRY_ACTIONS_DIR",
    async resolve(uses: RemoteUses): Promise<Lookup> {
      let found;
      try {
        found = directory().resolve(uses.repository, uses.ref);
      } catch (error) {
        return { found: false, why: `GANTRY_ACTIONS_DIR: ${root} cannot be read (${error instanceof Error ? error.message : String(error)})` };
      }
      return found ? { found: true, sha: found.sha } : { found: false, why: `GANTRY_ACTIONS_DIR: no folder ${uses.repository}/${uses.ref}` };
    },
    async download(uses: RemoteUses, sha: string) {
      // The folder of the ref the sha came from (a digest sha names no folder), or any folder holding that commit.
      const atRef = directory().resolve(uses.repository, uses.ref);
      const found = atRef?.sha === sha ? atRef : directory().byCommit(uses.repository, sha);
      return found ? directory().tarball(found) : { missing: `GANTRY_ACTIONS_DIR: no folder of ${uses.repository} holds commit ${sha}` };
    },
  };
}
