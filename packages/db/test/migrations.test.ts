import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { listMigrations, migrate, MigrationError } from "../src/migrate/index";
import { checksumOf, MIGRATIONS_DIR } from "../src/migrate/migrations";
import { sqlForSchema } from "../src/migrate/prisma-cli";
import { SCHEMA_PATH } from "../src/paths";
import { createEmptyDatabase, readCatalog, type TestDatabase } from "../src/testing/index";

const created: TestDatabase[] = [];
async function emptyDatabase() {
  const database = await createEmptyDatabase();
  created.push(database);
  return database;
}
afterAll(async () => {
  for (const database of created) await database.drop();
});

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe("schema.prisma and prisma/migrations", () => {
  it("describe the same database (drift check)", async () => {
    const viaMigrations = await emptyDatabase();
    await migrate(viaMigrations.url);
    const viaSchema = await emptyDatabase();
    await query(viaSchema.url, sqlForSchema(SCHEMA_PATH));
    const [a, b] = await Promise.all([readCatalog(viaMigrations.url), readCatalog(viaSchema.url)]);
    expect(a.columns.length).toBeGreaterThan(100);
    // On failure: schema.prisma changed without a migration. Run `npm run db:migration -- <name>`.
    expect(a).toEqual(b);
  }, 120_000);

  it("every migration folder has Prisma's layout and a schema snapshot", () => {
    const folders = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.length).toBeGreaterThan(0);
    for (const folder of folders) {
      expect(folder.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
      expect(readdirSync(path.join(MIGRATIONS_DIR, folder.name)).sort()).toEqual(["migration.sql", "schema.prisma"]);
    }
    expect(readFileSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"), "utf8")).toContain('provider = "postgresql"');
  });
});

describe("the migrator", () => {
  it("applies in order, records Prisma's bookkeeping with checksums, and is idempotent", async () => {
    const database = await emptyDatabase();
    const first = await migrate(database.url);
    expect(first.applied).toEqual(listMigrations().map((m) => m.name));
    const second = await migrate(database.url);
    expect(second.applied).toEqual([]);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      database.url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY started_at`,
    );
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
      listMigrations().map((m) => [m.name, checksumOf(m.sql), 1]),
    );
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it("runs each migration in a transaction: a failing one leaves nothing behind", async () => {
    const database = await emptyDatabase();
    const migrations = [
      { name: "20000101000000_good", sql: 'CREATE TABLE "good" (id int);', checksum: checksumOf('CREATE TABLE "good" (id int);') },
      { name: "20000102000000_bad", sql: 'CREATE TABLE "half" (id int); SELECT nope;', checksum: "x" },
    ];
    await expect(migrate(database.url, migrations)).rejects.toThrow(/20000102000000_bad failed and was rolled back/);
    const tables = await query<{ table_name: string }>(database.url, "SELECT table_name FROM information_schema.tables WHERE table_schema='public' ORDER BY 1");
    expect(tables.map((t) => t.table_name)).toEqual(["_prisma_migrations", "good"]);
    const names = await query<{ migration_name: string }>(database.url, `SELECT migration_name FROM "_prisma_migrations"`);
    expect(names.map((n) => n.migration_name)).toEqual(["20000101000000_good"]);
  });

  it("refuses a migration edited after it was applied", async () => {
    const database = await emptyDatabase();
    const original = { name: "20000101000000_one", sql: "CREATE TABLE one (id int);", checksum: checksumOf("CREATE TABLE one (id int);") };
    await migrate(database.url, [original]);
    const edited = { ...original, sql: "CREATE TABLE one (id bigint);", checksum: checksumOf("CREATE TABLE one (id bigint);") };
    await expect(migrate(database.url, [edited])).rejects.toThrow(MigrationError);
    await expect(migrate(database.url, [edited])).rejects.toThrow(/edited after it was applied/);
  });

  it("refuses a database that has migrations this checkout does not know", async () => {
    const database = await emptyDatabase();
    const one = { name: "20000101000000_one", sql: "SELECT 1;", checksum: checksumOf("SELECT 1;") };
    await migrate(database.url, [one]);
    await expect(migrate(database.url, [])).rejects.toThrow(/not in prisma\/migrations/);
  });
});

describe("the shared_runner_pools migration", () => {
  const upTo = (name: string) => listMigrations().slice(0, listMigrations().findIndex((m) => m.name.endsWith(name)));
  async function poolsAfterUpgrade(tenants: string[]) {
    const database = await emptyDatabase();
    await migrate(database.url, upTo("_shared_runner_pools"));
    for (const tenant of tenants) await query(database.url, `INSERT INTO "Tenant" (id, slug, name) VALUES ('${tenant}', '${tenant}', '${tenant}')`);
    await query(database.url, `INSERT INTO "RunnerPool" (id, name, labels, provider, "registrationTokenHash") VALUES ('old', 'old', '{x}', 'BWRAP', 'h')`);
    await migrate(database.url);
    const pools = await query<{ tenantId: string | null; shared: boolean }>(database.url, `SELECT "tenantId", shared FROM "RunnerPool"`);
    const grants = await query<{ tenantId: string; secrets: boolean }>(database.url, `SELECT "tenantId", secrets FROM "RunnerPoolTenant" ORDER BY "tenantId"`);
    return { pool: pools[0], grants };
  }

  it("gives a pool without a tenant to the only tenant there is", async () => {
    expect(await poolsAfterUpgrade(["ten_a"])).toEqual({ pool: { tenantId: "ten_a", shared: false }, grants: [] });
  }, 120_000);

  it("shares it with every tenant, without their secrets, when there are several", async () => {
    expect(await poolsAfterUpgrade(["ten_a", "ten_b"])).toEqual({
      pool: { tenantId: null, shared: true },
      grants: [
        { tenantId: "ten_a", secrets: false },
        { tenantId: "ten_b", secrets: false },
      ],
    });
  }, 120_000);
});
