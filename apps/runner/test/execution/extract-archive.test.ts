// extractArchive on its own (remote actions' tarballs): GitHub's single top folder stripped, links kept only inside,
// and every way an archive could write elsewhere refused with the entry named.
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { extractArchive } from "../../src/execution/safe-archive";
import { openRoot, withFdAsync } from "../../src/execution/safe-fs";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-extract-"));
  dirs.push(dir);
  return dir;
};

/** A tar.gz of `source`'s entries, each under `top/` (GitHub's layout), made by GNU tar. */
function archiveOf(source: string, top: string, entries = ["."]): string {
  const file = path.join(tempDir(), "a.tar.gz");
  // S: symlink targets stay as they are.
  execFileSync("tar", ["-czf", file, "-C", source, "--transform", `s,^\\.,${top},S`, ...entries]);
  return file;
}

const extract = (file: string, dest: string, maxBytes = 1 << 30) => withFdAsync(openRoot(dest), (fd) => extractArchive(file, fd, { stripTopFolder: true, maxBytes }));

describe("extractArchive", () => {
  it("unpacks GitHub's layout without its top folder, keeping executables executable and links that stay inside", async () => {
    const source = tempDir();
    mkdirSync(path.join(source, "dist"));
    writeFileSync(path.join(source, "action.yml"), "name: x\n");
    writeFileSync(path.join(source, "dist", "index.js"), "console.log(1)\n", { mode: 0o755 });
    symlinkSync("dist/index.js", path.join(source, "main.js"));
    const dest = tempDir();
    await extract(archiveOf(source, "acme-tool-1234567"), dest);
    expect(readFileSync(path.join(dest, "action.yml"), "utf8")).toBe("name: x\n");
    expect(statSync(path.join(dest, "dist", "index.js")).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(dest, "action.yml")).mode & 0o777).toBe(0o644);
    expect(readlinkSync(path.join(dest, "main.js"))).toBe("dist/index.js");
  });

  it("refuses a link out of the archive, naming it, and never writes through it", async () => {
    const source = tempDir();
    const outside = tempDir();
    symlinkSync(outside, path.join(source, "escape"));
    await expect(extract(archiveOf(source, "top"), tempDir())).rejects.toThrow(`"escape" links outside the archive (${JSON.stringify(outside)})`);
    const relative = tempDir();
    symlinkSync("../../etc", path.join(relative, "up"));
    await expect(extract(archiveOf(relative, "top"), tempDir())).rejects.toThrow(`"up" links outside the archive ("../../etc")`);
  });

  it("refuses a file written through a link the archive made, and entries outside the one top folder", async () => {
    // dir -> sub (inside), then dir/x: writing it would go through the link.
    const source = tempDir();
    mkdirSync(path.join(source, "sub"));
    symlinkSync("sub", path.join(source, "dir"));
    mkdirSync(path.join(source, "real"));
    writeFileSync(path.join(source, "real", "x"), "x");
    const layered = path.join(tempDir(), "b.tar");
    execFileSync("tar", ["-cf", layered, "-C", source, "--transform", "s,^\\.,top,S", "./sub", "./dir"]);
    execFileSync("tar", ["-rf", layered, "-C", source, "--transform", "s,^real,top/dir,", "real/x"]);
    execFileSync("gzip", [layered]);
    const dest = tempDir();
    await expect(extract(`${layered}.gz`, dest)).rejects.toThrow(/"dir\/x": "dir" is a symbolic link/);
    expect(lstatSync(path.join(dest, "dir")).isSymbolicLink()).toBe(true);
    expect(() => statSync(path.join(dest, "sub", "x"))).toThrow();

    const two = tempDir();
    mkdirSync(path.join(two, "a"));
    mkdirSync(path.join(two, "b"));
    writeFileSync(path.join(two, "a", "f"), "");
    writeFileSync(path.join(two, "b", "g"), "");
    const both = path.join(tempDir(), "two.tar.gz");
    execFileSync("tar", ["-czf", both, "-C", two, "a", "b"]);
    await expect(extract(both, tempDir())).rejects.toThrow(`"b/" is outside the archive's one top folder "a"`);
  });

  it("refuses an archive that unpacks to more than its limit", async () => {
    const source = tempDir();
    writeFileSync(path.join(source, "big"), Buffer.alloc(64 * 1024));
    await expect(extract(archiveOf(source, "top"), tempDir(), 1024)).rejects.toThrow("the archive unpacks to more than 1024 bytes");
  });
});

describe("extractArchive on bytes that are not a tar.gz", () => {
  it("fails instead of unpacking nothing", async () => {
    const file = path.join(tempDir(), "junk.tar.gz");
    writeFileSync(file, Buffer.from("not an archive at all, just text"));
    await expect(extract(file, tempDir())).rejects.toThrow();
  });
});
