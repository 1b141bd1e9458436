// GANTRY_ACTIONS_DIR folders (ActionsDirectory) and their tarballs (directory-tarball.ts), on folders made here:
// refs → commits by INDEX.tsv, by full sha and by the tree digest; deterministic bytes in GitHub's layout; links
// kept as links and never followed, and no ref or link reaching outside the root.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Parser, type ReadEntry } from "tar";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActionsDirectory, directoryTarball, isSafeRef, readTree, treeDigest } from "../src/index";

const base = mkdtempSync(path.join(os.tmpdir(), "gantry-actions-dir-"));
const root = path.join(base, "actions");
const outside = path.join(base, "outside");
const SHA = "11bd71901bbe5b1630ceea73d27597364c9af683";

function write(file: string, content: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

beforeAll(() => {
  write(path.join(root, "INDEX.tsv"), `action\ttag\tcommit\nacme/tool\tv1.0.0\t${SHA}\n`);
  write(path.join(root, "acme/tool/v1.0.0/action.yml"), "runs:\n  using: node20\n  main: dist/index.js\n");
  write(path.join(root, "acme/tool/v1.0.0/dist/index.js"), "console.log('hi')\n");
  write(path.join(root, "acme/tool/v1.0.0/bin/run.sh"), "#!/bin/sh\n");
  chmodSync(path.join(root, "acme/tool/v1.0.0/bin/run.sh"), 0o700);
  symlinkSync("/etc/passwd", path.join(root, "acme/tool/v1.0.0/passwd"));
  write(path.join(root, "acme/plain/main/action.yml"), "runs:\n  using: node20\n  main: index.js\n");
  write(path.join(outside, "secret/action.yml"), "stolen\n");
  symlinkSync(path.join(outside, "secret"), path.join(root, "acme/plain/escape"));
  symlinkSync("v1.0.0", path.join(root, "acme/tool/v1"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function entries(archive: Buffer): Promise<{ path: string; type: string; mode: number; linkpath: string; mtime: number }[]> {
  const found: { path: string; type: string; mode: number; linkpath: string; mtime: number }[] = [];
  const parser = new Parser({ onReadEntry: (entry: ReadEntry) => {
    found.push({ path: entry.path, type: entry.type, mode: entry.mode ?? 0, linkpath: entry.linkpath ?? "", mtime: entry.mtime?.getTime() ?? -1 });
    entry.resume();
  } });
  await new Promise<void>((resolve, reject) => {
    parser.on("end", resolve);
    parser.on("error", reject);
    parser.end(archive);
  });
  return found;
}

describe("ActionsDirectory", () => {
  const directory = () => new ActionsDirectory(root);

  it("takes a tag's commit from INDEX.tsv, finds the tag's folder by that full sha, and matches names as GitHub does", () => {
    expect(directory().resolve("acme/tool", "v1.0.0")).toMatchObject({ repository: "acme/tool", sha: SHA, shaFrom: "index" });
    expect(directory().resolve("ACME/Tool", "v1.0.0")).toMatchObject({ repository: "acme/tool", sha: SHA });
    expect(directory().resolve("acme/tool", SHA)).toMatchObject({ sha: SHA, shaFrom: "index", folder: path.join(root, "acme/tool/v1.0.0") });
    expect(directory().byCommit("acme/tool", SHA)?.folder).toBe(path.join(root, "acme/tool/v1.0.0"));
    expect(directory().resolve("acme/tool", "v2")).toBeNull();
    expect(directory().resolve("acme/tool", "a".repeat(40))).toBeNull();
  });

  it("stands a folder with no INDEX row for the first 40 hex digits of its tree digest, which moves with its content", () => {
    const first = directory().resolve("acme/plain", "main");
    expect(first).toMatchObject({ shaFrom: "digest", sha: treeDigest(readTree(path.join(root, "acme/plain/main"))).slice(0, 40) });
    write(path.join(root, "acme/plain/main/index.js"), "// new\n");
    const second = directory().resolve("acme/plain", "main");
    expect(second?.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(second?.sha).not.toBe(first?.sha);
    expect(directory().byCommit("acme/plain", second?.sha ?? "")?.folder).toBe(path.join(root, "acme/plain/main"));
  });

  it("follows a ref link inside the root, and nothing that leaves it or names a parent", () => {
    expect(directory().resolve("acme/tool", "v1")?.folder).toBe(path.join(root, "acme/tool/v1.0.0"));
    expect(directory().resolve("acme/plain", "escape")).toBeNull();
    for (const ref of ["..", "../../outside/secret", "v1/../v1.0.0", ".hidden", "-flag", "x.lock", ""]) {
      expect(isSafeRef(ref)).toBe(false);
      expect(directory().resolve("acme/tool", ref)).toBeNull();
    }
    expect(directory().resolve("../outside", "secret")).toBeNull();
    expect(directory().resolve("acme/..", "tool")).toBeNull();
  });
});

describe("directoryTarball", () => {
  it("is GitHub's layout, byte for byte the same each time, with git's modes and links stored as links", async () => {
    const folder = path.join(root, "acme/tool/v1.0.0");
    const first = directoryTarball(folder, "acme/tool", SHA);
    expect(directoryTarball(folder, "acme/tool", SHA).equals(first)).toBe(true);
    const list = await entries(first);
    expect(list.map((entry) => entry.path)).toEqual([
      "acme-tool-11bd719/",
      "acme-tool-11bd719/action.yml",
      "acme-tool-11bd719/bin/",
      "acme-tool-11bd719/bin/run.sh",
      "acme-tool-11bd719/dist/",
      "acme-tool-11bd719/dist/index.js",
      "acme-tool-11bd719/passwd",
    ]);
    const by = (name: string) => list.find((entry) => entry.path === `acme-tool-11bd719/${name}`);
    expect([by("bin/run.sh")?.mode, by("action.yml")?.mode, by("bin/")?.mode]).toEqual([0o755, 0o644, 0o755]);
    expect([by("passwd")?.type, by("passwd")?.linkpath]).toEqual(["SymbolicLink", "/etc/passwd"]);
    expect(list.every((entry) => entry.mtime === 0)).toBe(true);
    // A path past ustar's 100 bytes travels in a PAX header, whole.
    const long = `${"deep-folder-name/".repeat(8)}file.js`;
    write(path.join(root, "acme/long/v1", long), "x\n");
    const longList = await entries(directoryTarball(path.join(root, "acme/long/v1"), "acme/long", SHA));
    expect(longList.map((entry) => entry.path)).toContain(`acme-long-11bd719/${long}`);
    // The link's target was never read.
    expect(gunzipSync(first).includes("root:x:0:0")).toBe(false);
  });
});
