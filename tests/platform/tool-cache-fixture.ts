// A runner tool cache pre-populated as GitHub's runner images lay it out (`<tool>/<version>/<arch>/` plus a
// `<arch>.complete` marker), so setup-node and setup-python find their versions without a download: Node from the
// npm runtime the runner ships (node-runtime-24), Python as a venv of Debian's /usr/bin/python3 (sandboxes bind the
// host's /usr, not a home folder where pyenv and the like live).
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../..");
export const SHARED_ACTIONS = path.resolve(repoRoot, "../shared/actions");
const SYSTEM_PYTHON = "/usr/bin/python3";

export const cachedNodeVersion = (JSON.parse(readFileSync(path.join(repoRoot, "node_modules/node-runtime-24/package.json"), "utf8")) as { version: string }).version;
export const cachedPythonVersion = execFileSync(SYSTEM_PYTHON, ["-c", "import platform; print(platform.python_version())"]).toString().trim();

/** A fresh tool cache folder (mode 1777, as a root runner's sandbox uids need it) holding Node and Python. */
export function populatedToolCache(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "gantry-tool-cache-"));
  chmodSync(root, 0o1777);
  const nodeDir = path.join(root, "node", cachedNodeVersion, "x64");
  mkdirSync(path.join(nodeDir, "bin"), { recursive: true });
  // A copy, not a link: the cache is bound into the sandbox, where the repository's node_modules is not.
  copyFileSync(path.join(repoRoot, "node_modules/node-runtime-24/bin/node"), path.join(nodeDir, "bin/node"));
  chmodSync(path.join(nodeDir, "bin/node"), 0o755);
  writeFileSync(`${nodeDir}.complete`, "");
  const pythonDir = path.join(root, "Python", cachedPythonVersion, "x64");
  execFileSync(SYSTEM_PYTHON, ["-m", "venv", "--without-pip", pythonDir]);
  writeFileSync(`${pythonDir}.complete`, "");
  return root;
}
