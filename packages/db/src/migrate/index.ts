// `@gantry/db/migrate`: kept off the main entry point because it reads prisma/migrations from disk, which
// bundlers (next build) would otherwise trace into every server bundle.
export { migrate, MigrationError, type MigrateResult } from "./migrator";
export { listMigrations, checksumOf, MIGRATIONS_DIR, type Migration } from "./migrations";
