import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../paths";

/** prisma/migrations at the repository root: Prisma's own folder layout, one folder per migration. */
export const MIGRATIONS_DIR = path.join(REPO_ROOT, "prisma/migrations");

export interface Migration {
  name: string;
  sql: string;
  /** sha256 of migration.sql, hex: the same checksum `prisma migrate deploy` records. */
  checksum: string;
}

export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

/** Every migration folder in name order (names start with a UTC timestamp, so name order is creation order). */
export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: checksumOf(sql) };
    });
}
