// Building the microvm guest image (microvm-image.ts) with a stand-in build script, so it runs anywhere in
// milliseconds: the build leaves the runner's event loop turning (the first job's prepare waits for it, and that
// job's heartbeats must keep its lease meanwhile), one build serves concurrent prepares, and a failing build
// says why.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildGuestImage } from "../../src/sandbox/microvm-image";
import { until } from "../execution/helpers";

// The stand-in build: it finishes only once the runner has answered (written `<out>.go`) while it runs, which a
// runner blocked on the build could never do; it gives up after 10 s.
const BUILD = `#!/bin/sh
out=$1
echo run >> "$out.runs"
: > "$out.started"
i=0
while [ ! -e "$out.go" ]; do
  i=$((i + 1))
  if [ "$i" -gt 1000 ]; then echo "nobody answered while the build ran" >&2; exit 1; fi
  sleep 0.01
done
mkdir -p "$out" && echo "$2" > "$out/ready"
`;

describe("microvm guest image build", () => {
  let root = "";
  let script = "";
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "gantry-mvm-image-"));
    script = path.join(root, "build.sh");
    writeFileSync(script, BUILD);
    chmodSync(script, 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("runs beside the event loop: the runner answers (heartbeats) while the image builds", { timeout: 20_000 }, async () => {
    const dir = path.join(root, "microvm", "6.1.0-test-cloud-amd64-0123");
    const build = buildGuestImage(dir, "6.1.0-test-cloud-amd64", { script });
    await until("the build to start", () => existsSync(`${dir}.started`), 10_000);
    writeFileSync(`${dir}.go`, "");
    await build;
    expect(readFileSync(path.join(dir, "ready"), "utf8")).toBe("6.1.0-test-cloud-amd64\n");
  });

  it("builds once for prepares that ask at the same time, and not again once ready", { timeout: 20_000 }, async () => {
    const dir = path.join(root, "microvm", "image");
    const builds = [buildGuestImage(dir, "r", { script }), buildGuestImage(dir, "r", { script })];
    await until("the build to start", () => existsSync(`${dir}.started`), 10_000);
    writeFileSync(`${dir}.go`, "");
    await Promise.all(builds);
    await buildGuestImage(dir, "r", { script });
    expect(readFileSync(`${dir}.runs`, "utf8")).toBe("run\n");
  });

  it("names the script's error when the build fails", { timeout: 20_000 }, async () => {
    writeFileSync(script, `#!/bin/sh\necho "debootstrap: cannot reach the mirror" >&2\nexit 3\n`);
    await expect(buildGuestImage(path.join(root, "microvm", "broken"), "r", { script })).rejects.toThrow(/building the microvm guest image failed: debootstrap: cannot reach the mirror/);
  });
});
