// safe-fs and safe-archive on their own: a link anywhere in a path is refused (never followed), creation is
// exclusive and owned by descriptor, a FIFO never hangs a read, and refs are refs (checked against git itself).
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { afterEach, describe, expect, it } from "vitest";
import { refProblem } from "../../src/execution/git-ref";
import { writeArchive } from "../../src/execution/safe-archive";
import { components, openDir, openRoot, readRegularFile, removeEntry, replaceFile, UnsafePathError, withFd, withFdAsync } from "../../src/execution/safe-fs";
import { unsafeExecValue } from "../../src/execution/exec-values";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-safe-fs-"));
  dirs.push(dir);
  return dir;
};

/** A root (what the runner made) and an outside directory with a file the root's links point at. */
function fixture() {
  const root = tempDir();
  const outside = tempDir();
  writeFileSync(path.join(outside, "secret"), "secret\n");
  symlinkSync(outside, path.join(root, "link"));
  mkdirSync(path.join(root, "real"));
  symlinkSync(path.join(outside, "secret"), path.join(root, "real", "file-link"));
  return { root, outside };
}

describe("safe-fs", () => {
  it("refuses `..`, absolute paths and NUL bytes", () => {
    expect(components("./a//b/.")).toEqual(["a", "b"]);
    for (const bad of ["../x", "a/../../x", "/etc", "a\0b"]) expect(() => components(bad)).toThrow(UnsafePathError);
  });

  it("refuses a link at any component of a directory path, naming it", () => {
    const { root } = fixture();
    withFd(openRoot(root), (fd) => {
      expect(() => openDir(fd, "link/sub")).toThrow('"link/sub": "link" is a symbolic link');
      expect(() => openDir(fd, "link", { create: {} })).toThrow('"link" is a symbolic link');
      expect(() => openDir(fd, "real/file-link/x", { create: {} })).toThrow('"file-link" is a symbolic link');
    });
  });

  it("creates missing directories by descriptor, owned as asked, and never outside", () => {
    const { root, outside } = fixture();
    withFd(openRoot(root), (fd) => withFd(openDir(fd, "a/b/c", { create: { mode: 0o750, owner: { uid: 4242, gid: 4343 } } }), () => undefined));
    const made = statSync(path.join(root, "a/b/c"));
    expect([made.isDirectory(), made.mode & 0o777]).toEqual([true, 0o750]);
    if (process.getuid?.() === 0) expect([made.uid, made.gid]).toEqual([4242, 4343]);
    expect(readdirSync(outside)).toEqual(["secret"]);
  });

  it("replaces a link with a fresh file instead of writing through it, and chowns the new file only", () => {
    const { root, outside } = fixture();
    const before = statSync(path.join(outside, "secret"));
    withFd(openRoot(root), (fd) => withFd(openDir(fd, "real"), (dir) => replaceFile(dir, "file-link", "mine", { mode: 0o640, owner: { uid: 4242, gid: 4242 } })));
    expect(readFileSync(path.join(outside, "secret"), "utf8")).toBe("secret\n");
    expect(statSync(path.join(outside, "secret")).uid).toBe(before.uid);
    const made = statSync(path.join(root, "real", "file-link"));
    expect([made.isFile(), readFileSync(path.join(root, "real", "file-link"), "utf8")]).toEqual([true, "mine"]);
    if (process.getuid?.() === 0) expect(made.uid).toBe(4242);
  });

  it("removes a planted tree by descriptor: a link inside is unlinked, what it points at stays", () => {
    const { root, outside } = fixture();
    mkdirSync(path.join(root, "tree", "deep"), { recursive: true });
    symlinkSync(outside, path.join(root, "tree", "deep", "out"));
    writeFileSync(path.join(root, "tree", "deep", "f"), "x");
    withFd(openRoot(root), (fd) => {
      removeEntry(fd, "tree");
      removeEntry(fd, "link");
      removeEntry(fd, "absent");
    });
    expect(readdirSync(root)).toEqual(["real"]);
    expect(readdirSync(outside)).toEqual(["secret"]);
  });

  it("reads only regular files: a link is refused and a FIFO does not hang", () => {
    const { root } = fixture();
    execFileSync("mkfifo", [path.join(root, "fifo")]);
    writeFileSync(path.join(root, "big"), "x".repeat(100));
    withFd(openRoot(root), (fd) => {
      expect(() => readRegularFile(fd, "fifo", 1000)).toThrow('"fifo" is not a regular file');
      expect(() => withFd(openDir(fd, "real"), (dir) => readRegularFile(dir, "file-link", 1000))).toThrow("is a symbolic link, not a regular file");
      expect(() => readRegularFile(fd, "big", 10)).toThrow("larger than 10 bytes");
      expect(readRegularFile(fd, "absent", 10)).toBeUndefined();
    });
  });
});

describe("safe-archive", () => {
  it("stores files and links as they are, and refuses a link in the middle of a named path", async () => {
    const { root } = fixture();
    writeFileSync(path.join(root, "real", "a.txt"), "a\n");
    if (process.getuid?.() === 0) chownSync(path.join(root, "real", "a.txt"), 4242, 4242);
    const out = path.join(tempDir(), "x.tar.gz");
    await withFdAsync(openRoot(root), (fd) => writeArchive(fd, "real", ["a.txt", "file-link"], out, { deterministic: true }));
    const seen: string[] = [];
    await tar.t({ file: out, onReadEntry: (entry) => void seen.push(`${entry.type} ${entry.path}${entry.linkpath ? ` -> ${entry.linkpath}` : ""} ${entry.mtime?.getTime() ?? ""}`) });
    expect(seen[0]).toBe("File a.txt 0");
    expect(seen[1]).toMatch(/^SymbolicLink file-link -> .*\/secret 0$/);
    expect(seen).toHaveLength(2);
    await expect(withFdAsync(openRoot(root), (fd) => writeArchive(fd, ".", ["link/secret"], out, { deterministic: true }))).rejects.toThrow('"link/secret": "link" is a symbolic link');
  });
});

describe("refProblem", () => {
  const valid = ["main", "v1.2.3", "refs/heads/main", "refs/pull/7/merge", "feature/x-y_z", "a".repeat(40), "release@2"];
  const invalid = ["--upload-pack=touch /tmp/x", "-b", "+refs/heads/x", "a..b", "a b", "a:b", "a~1", "a^", "a?", "a*", "a[", "a\\b", ".hidden", "a/.b", "a.lock", "a/b.lock/c", "a/", "/a", "a//b", "a.", "@", "a@{1}", "", "a\tb", "a\u007fb"];

  it("accepts refs and full shas, refuses options and what git would not call a ref", () => {
    for (const ref of valid) expect(refProblem(ref), ref).toBeUndefined();
    for (const ref of invalid) expect(refProblem(ref), ref).toBeDefined();
  });

  it("agrees with git check-ref-format --allow-onelevel (but for a leading - or +, which git would read as an option)", () => {
    for (const ref of [...valid, ...invalid.filter((ref) => !/^[-+]/.test(ref) && ref !== "")]) {
      const git = spawnSync("git", ["check-ref-format", "--allow-onelevel", ref]).status === 0;
      expect(refProblem(ref) === undefined, ref).toBe(git);
    }
  });
});

describe("unsafeExecValue", () => {
  it("names a NUL byte in env, cwd or argv, and a bad env name", () => {
    expect(unsafeExecValue({ argv: ["sh"], env: { A: "b" }, cwd: "/w" })).toBeUndefined();
    expect(unsafeExecValue({ argv: ["sh"], env: { A: "b\0--bind" }, cwd: "/w" })).toBe("env A holds a NUL byte");
    expect(unsafeExecValue({ argv: ["sh"], env: { "A=B": "c" }, cwd: "/w" })).toMatch(/env name "A=B"/);
    expect(unsafeExecValue({ argv: ["sh"], env: {}, cwd: "/w\0x" })).toMatch(/working-directory/);
    expect(unsafeExecValue({ argv: ["sh", "a\0b"], env: {}, cwd: "/w" })).toMatch(/argument/);
  });
});
