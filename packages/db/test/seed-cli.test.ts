// The seed command the up-command runs: its environment is a trust boundary, so a bad egress allowlist is refused
// with the entry named and nothing written; a good one lands on the demo pool. The demo pool gets the default
// resource limits (DESIGN.md invariant 10), and limits that fail validation are refused.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, openDatabase, seedDemo, verifyPassword, type Database } from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";

const root = path.resolve(import.meta.dirname, "../../..");
let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

// One installation's keys: a second seed must decrypt what the first wrapped.
const keys = {
  GANTRY_RUNNER_TOKEN: randomBytes(24).toString("hex"),
  GANTRY_MASTER_KEY: randomBytes(32).toString("base64"),
  GANTRY_DEMO_NOTIFY_SECRET: randomBytes(24).toString("hex"),
};

async function seed(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", DATABASE_URL: testDb.url, GANTRY_DEMO_REPO_URL: "/srv/git/demo.git", ...keys };
  const tsx = path.join(root, "node_modules/.bin/tsx");
  try {
    const { stdout, stderr } = await promisify(execFile)(tsx, ["packages/db/src/seed-cli.ts"], { cwd: root, env: { ...base, ...env } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

const demoPool = () => db.system("test: the demo pool").runnerPool.findUnique({ where: { id: DEMO.poolId } });

describe("seed-cli", () => {
  it("refuses a wildcard in the egress allowlist, naming the entry, and writes nothing", async () => {
    const result = await seed({ GANTRY_DEMO_EGRESS: "allowlist", GANTRY_DEMO_EGRESS_ALLOWLIST: "github.com, *.npmjs.org" });
    expect(result.code).toBe(1);
    expect(result.output).toContain("an egress allowlist entry is a host name (no wildcards), an IP address or a CIDR range");
    expect(result.output).toContain("GANTRY_DEMO_EGRESS_ALLOWLIST[1]");
    expect(await demoPool()).toBeNull();
  }, 30_000);

  it("gives the demo pool the egress policy and allowlist it is told", async () => {
    const result = await seed({ GANTRY_DEMO_EGRESS: "allowlist", GANTRY_DEMO_EGRESS_ALLOWLIST: "github.com, 10.0.0.0/8,fd00::/8" });
    expect(result).toMatchObject({ code: 0 });
    expect(await demoPool()).toMatchObject({ egress: "ALLOWLIST", egressAllowlist: ["github.com", "10.0.0.0/8", "fd00::/8"] });
    expect((await seed({})).code).toBe(0);
    expect(await demoPool()).toMatchObject({ egress: "NONE", egressAllowlist: [] });
  }, 60_000);

  // Issue #13 item 6c: the published demo password only where nobody else can reach the sign-in page.
  it("on a host that is not loopback, gives the admin a random password printed once (only its hash stored), never the demo one", async () => {
    const admin = () => db.system("test: the demo admin").user.findUniqueOrThrow({ where: { id: DEMO.userId } });
    // An install first seeded on loopback has the published password …
    await db.system("test: start over").user.deleteMany({ where: { id: DEMO.userId } });
    expect((await seed({ GANTRY_HOST: "127.0.0.1" })).code).toBe(0);
    expect(await verifyPassword(DEMO.password, (await admin()).passwordHash ?? "")).toBe(true);
    // … and loses it when it is seeded for the network.
    const exposed = await seed({ GANTRY_HOST: "0.0.0.0" });
    expect(exposed.code).toBe(0);
    const printed = /admin password \(shown once, only its hash is stored\): (\S+)/.exec(exposed.output)?.[1] ?? "";
    expect(printed).toMatch(/^[\w-]{24,}$/);
    expect(exposed.output).not.toContain(DEMO.password);
    const stored = (await admin()).passwordHash ?? "";
    expect(stored).not.toContain(printed);
    expect(await verifyPassword(printed, stored)).toBe(true);
    expect(await verifyPassword(DEMO.password, stored)).toBe(false);
    // Printed once: the next seed keeps the password and prints none.
    const again = await seed({ GANTRY_HOST: "ci.example.com" });
    expect(again.output).not.toMatch(/admin password/);
    expect((await admin()).passwordHash).toBe(stored);
    expect(await db.system("test").auditEvent.findFirst({ where: { action: "user.created", targetId: DEMO.userId } })).toMatchObject({ actorKind: "SYSTEM", actorId: "seed" });
    expect(await db.system("test").auditEvent.findFirst({ where: { action: "auth.password.reset", targetId: DEMO.userId } })).toMatchObject({ actorKind: "SYSTEM", data: { reason: expect.stringContaining("not loopback") } });
  }, 90_000);

  it("sets the demo tenant's injection-is-an-error setting when told, leaves it alone when not, and refuses junk", async () => {
    const setting = async () => (await db.system("test: the demo tenant").tenant.findUniqueOrThrow({ where: { id: DEMO.tenantId } })).injectionLintError;
    expect(await seed({ GANTRY_DEMO_INJECTION_IS_ERROR: "true" })).toMatchObject({ code: 0 });
    expect(await setting()).toBe(true);
    expect(await seed({})).toMatchObject({ code: 0 });
    expect(await setting()).toBe(true);
    expect(await seed({ GANTRY_DEMO_INJECTION_IS_ERROR: "false" })).toMatchObject({ code: 0 });
    expect(await setting()).toBe(false);
    const junk = await seed({ GANTRY_DEMO_INJECTION_IS_ERROR: "yes" });
    expect(junk.code).toBe(1);
    expect(junk.output).toContain("GANTRY_DEMO_INJECTION_IS_ERROR");
  }, 90_000);

  it("gives the demo pool the default resource limits: 2 CPUs, 4 GiB, 1,024 processes, 10 GiB disk, 360 minutes", async () => {
    expect((await seed({})).code).toBe(0);
    expect(await demoPool()).toMatchObject({ cpus: 2, memoryBytes: 4n * 1024n ** 3n, pids: 1024, diskBytes: 10n * 1024n ** 3n, fileSizeBytes: 10n * 1024n ** 3n, maxTimeoutMinutes: 360 });
    // The up-command's settings: validated, naming the variable; a good one lands on the pool.
    const bad = await seed({ GANTRY_DEMO_PIDS: "0" });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain("GANTRY_DEMO_PIDS");
    expect((await seed({ GANTRY_DEMO_MEMORY_BYTES: String(2 * 1024 ** 3), GANTRY_DEMO_DISK_BYTES: String(1024 ** 3) })).code).toBe(0);
    expect(await demoPool()).toMatchObject({ memoryBytes: 2n * 1024n ** 3n, pids: 1024, diskBytes: 1024n ** 3n, fileSizeBytes: 1024n ** 3n });
    const options = { repositoryUrl: "/srv/git/demo.git", runnerRegistrationToken: keys.GANTRY_RUNNER_TOKEN };
    await seedDemo(db, { ...options, limits: { memoryBytes: 64 * 1024 ** 2, pids: 64 } });
    expect(await demoPool()).toMatchObject({ cpus: 2, memoryBytes: 64n * 1024n ** 2n, pids: 64, diskBytes: 10n * 1024n ** 3n });
    // Zero processes, or a memory limit too small to start a shell, is refused and leaves the pool as it was.
    await expect(seedDemo(db, { ...options, limits: { pids: 0 } })).rejects.toThrow(/pids/);
    await expect(seedDemo(db, { ...options, limits: { memoryBytes: 1024 } })).rejects.toThrow(/memoryBytes/);
    expect(await demoPool()).toMatchObject({ memoryBytes: 64n * 1024n ** 2n, pids: 64 });
  }, 60_000);
});
