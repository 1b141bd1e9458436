// The installed `gantry` bin (npm's link in node_modules/.bin, as `npx gantry` runs it), started from a directory
// outside the workspace: `validate` reports a file's errors and exits 1, a good file exits 0, bad usage exits 2,
// and a server command without a login says how to log in.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../../node_modules/.bin/gantry", import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), "gantry-bin-"));
const exec = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(bin, args, { cwd: dir, encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH ?? "", HOME: dir, ...env } });
const GOOD = "on: push\njobs:\n  a:\n    runs-on: linux-x64\n    timeout-minutes: 30\n    steps:\n      - run: echo hi\n";

/** A port nothing listens on (it did a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the installed gantry bin", () => {
  it("validate: a file's errors and exit 1; a good file exits 0; no arguments is a usage error (2)", () => {
    writeFileSync(path.join(dir, "bad.yml"), "on: push\njobs:\n  a:\n    runs-on: linux-x64\n    steps:\n      - uses: docker://alpine:3\n");
    writeFileSync(path.join(dir, "good.yml"), GOOD);
    const bad = exec(["validate", "bad.yml"]);
    expect(bad.status, bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(/^bad\.yml:6:15: .*docker actions need a pool with a container runtime.*\[unsupported-action\]$/m);
    expect(exec(["validate", "good.yml"]).status).toBe(0);
    expect(exec(["validate"]).status).toBe(2);
    const none = exec([]);
    expect(none.status).toBe(2);
    expect(none.stdout).toContain("gantry runs watch ID");
  });

  it("a server command without a login exits 1 with one line saying how to log in; a bad option exits 2", () => {
    const unlogged = exec(["runs", "list"]);
    expect(unlogged.status).toBe(1);
    expect(unlogged.stderr).toBe(`gantry: not logged in: run gantry login --url URL --token TOKEN (or set GANTRY_URL and GANTRY_TOKEN); no server in ${dir}/.config/gantry/config.json\n`);
    const bad = exec(["runs", "list", "--colour"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.split("\n")[0]).toMatch(/^gantry: Unknown option '--colour'\./);
    expect(bad.stderr.split("\n")[1]).toBe("usage: gantry runs list [--repo OWNER/NAME] [--branch B] [--event E] [--status S] [--actor A] [--workflow W] [--search TEXT] [--limit N] [--cursor C] [--tenant T] [--json]");
  });

  it("an unreachable server is exit 1 naming it; login writes nothing then", async () => {
    const port = await closedPort();
    const refused = exec(["login", "--url", `http://127.0.0.1:${port}`, "--token", `gat_${"x".repeat(43)}`]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`gantry: cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    expect(() => statSync(path.join(dir, ".config/gantry/config.json"))).toThrow(/ENOENT/);
  });
});
