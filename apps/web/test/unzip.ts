// A zip's files as Info-ZIP's `unzip` reads them (`unzip -t` must pass first): the artifact download tests check our
// zips with an implementation that is not ours.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";

export function unzipped(zip: Buffer): Record<string, string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-unzip-"));
  const file = path.join(dir, "artifact.zip");
  try {
    writeFileSync(file, zip);
    expect(execFileSync("unzip", ["-t", file]).toString()).toContain("No errors detected");
    const names = execFileSync("unzip", ["-Z1", file]).toString().split("\n").filter((name) => name !== "" && !name.endsWith("/"));
    return Object.fromEntries(names.sort().map((name) => [name, execFileSync("unzip", ["-p", file, name]).toString()]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
