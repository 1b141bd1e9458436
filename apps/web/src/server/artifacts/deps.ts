// What the artifact download and delete paths need from the process: the database, the object store and the key
// that signs download links (derived from the same secret as the runner's object URLs, for its own purpose).
import { objectDeps } from "../runner-api/objects";
import { artifactDownloadKey } from "./download-url";
import type { ArtifactDownloadDeps } from "./download-route";

export function artifactDownloadDeps(): ArtifactDownloadDeps {
  const objects = objectDeps();
  return { database: objects.database, store: objects.store, key: artifactDownloadKey(objects.secret), now: objects.now };
}
