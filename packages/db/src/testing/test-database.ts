// Fresh databases for tests: one template per set of migrations, then one cheap copy per test file
// (STYLE.md practice 11), so test files never share state and runs never collide.
import { randomBytes, createHash } from "node:crypto";
import pg from "pg";
import { listMigrations } from "../migrate/migrations";
import { migrate } from "../migrate/migrator";

const STALE_AFTER_SECONDS = 6 * 60 * 60;

/** A maintenance connection string (database `postgres`) on the server the tests use. */
export function adminDatabaseUrl(): string {
  return process.env.GANTRY_TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
}

export function databaseUrlFor(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function templateName(): string {
  const digest = createHash("sha256");
  for (const migration of listMigrations()) digest.update(migration.name).update(migration.checksum);
  return `gantry_tpl_${digest.digest("hex").slice(0, 16)}`;
}

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return rowCount === 1;
}

/** The migrated template for the current migrations; built once, under a lock, by whoever needs it first. */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = templateName();
  await withAdmin(async (client) => {
    await client.query("SELECT pg_advisory_lock(hashtext('gantry-test-template'))");
    try {
      if (await databaseExists(client, name)) return;
      const building = `${name}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}"`);
      await client.query(`CREATE DATABASE "${building}"`);
      await migrate(databaseUrlFor(building));
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      await dropStaleTestDatabases(client);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('gantry-test-template'))");
    }
  });
  return name;
}

async function dropStaleTestDatabases(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'gantry_t\\_%'");
  const cutoff = Math.floor(Date.now() / 1000) - STALE_AFTER_SECONDS;
  for (const { datname } of rows) {
    const created = Number(datname.split("_")[2]);
    if (Number.isFinite(created) && created < cutoff) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** An empty database, not migrated (for migration tests). */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  return createDatabase(null);
}

/** A migrated database of its own, copied from the template in milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  return createDatabase(await ensureTemplateDatabase());
}

async function createDatabase(template: string | null): Promise<TestDatabase> {
  const name = `gantry_t_${Math.floor(Date.now() / 1000)}_${randomBytes(5).toString("hex")}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`));
  return {
    name,
    url: databaseUrlFor(name),
    drop: () => withAdmin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}
