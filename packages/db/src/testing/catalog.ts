// A comparable description of a database's schema, read from Postgres' own catalog: what the drift test
// compares between "migrations applied" and "schema.prisma applied from nothing".
import pg from "pg";

export interface Catalog {
  columns: string[];
  indexes: string[];
  constraints: string[];
  enums: string[];
}

export async function readCatalog(databaseUrl: string): Promise<Catalog> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const lines = async (sql: string) => (await client.query<{ line: string }>(sql)).rows.map((row) => row.line);
    return {
      columns: await lines(`
        SELECT table_name || '.' || column_name || ' ' || udt_name || ' null=' || is_nullable
               || ' default=' || coalesce(column_default, '-') AS line
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
        ORDER BY 1`),
      indexes: await lines(`
        SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`),
      constraints: await lines(`
        SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS line
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.conrelid::regclass::text NOT IN ('_prisma_migrations', '"_prisma_migrations"') AND c.conrelid <> 0
        ORDER BY 1`),
      enums: await lines(`
        SELECT t.typname || ': ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS line
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY 1`),
    };
  } finally {
    await client.end();
  }
}
