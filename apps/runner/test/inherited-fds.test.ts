// A descriptor the runner inherited without close-on-exec never reaches what it starts (and so no sandbox).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const module = path.resolve(import.meta.dirname, "../src/inherited-fds.ts");
// A child that inherits fd 40 (a directory: the classic way out of a mount namespace), optionally closes what it
// inherited, then asks what its own child has at fd 40.
const script = (close: boolean) => `
  import { closeInheritedFds } from ${JSON.stringify(module)};
  import { execFileSync } from "node:child_process";
  ${close ? "console.log('closed', JSON.stringify(closeInheritedFds()));" : ""}
  console.log('child', execFileSync("/bin/sh", ["-c", "readlink /proc/$$/fd/40 || echo none"], { encoding: "utf8" }).trim());
`;

function run(close: boolean): string {
  // bash opens fd 40 without close-on-exec and becomes the runner-like child, as a supervisor would leave it.
  const result = spawnSync("/bin/bash", ["-c", 'exec 40</ && exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, script(close)], { encoding: "utf8", cwd: path.resolve(import.meta.dirname, "..") });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

describe("descriptors inherited by the runner", () => {
  it("reach the runner's children unless closed at start (the control)", () => {
    expect(run(false)).toMatch(/^child \/$/m);
  });

  it("are closed at start, and nothing the runner starts sees them", () => {
    const out = run(true);
    expect(out).toMatch(/^closed \[.*\b40\b.*\]$/m);
    expect(out).toMatch(/^child none$/m);
  });
});
