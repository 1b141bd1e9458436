// `npm run db:migration -- <name>`: writes prisma/migrations/<UTC timestamp>_<name>/migration.sql with the SQL
// that takes the schema as of the last migration to prisma/schema.prisma, and a snapshot of that schema beside it
// (the next migration diffs from the snapshot, so authoring needs no database and no downloaded engine).
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SCHEMA_PATH } from "../paths";
import { listMigrations, MIGRATIONS_DIR } from "./migrations";
import { sqlBetweenSchemas } from "./prisma-cli";

export const SNAPSHOT_FILE = "schema.prisma";

export function newMigration(name: string, now: Date = new Date()): string | null {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`Migration name "${name}" must be lower_snake_case.`);
  const last = listMigrations().at(-1);
  const snapshot = last ? path.join(MIGRATIONS_DIR, last.name, SNAPSHOT_FILE) : null;
  if (snapshot && !existsSync(snapshot)) throw new Error(`${snapshot} is missing: the last migration has no schema snapshot.`);
  const sql = sqlBetweenSchemas(snapshot, SCHEMA_PATH);
  if (sql === "") return null;
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "migration.sql"), `${sql}\n`);
  copyFileSync(SCHEMA_PATH, path.join(dir, SNAPSHOT_FILE));
  writeFileSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"), 'provider = "postgresql"\n');
  return dir;
}
