import { z } from "zod";

/** The database part of every app's env. Parsed when called, never at import time (STYLE.md practice 3). */
export const dbEnvSchema = z.object({
  /** Postgres connection string, e.g. postgresql://postgres@127.0.0.1:5432/gantry */
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is not set: point it at Postgres, e.g. postgresql://postgres@127.0.0.1:5432/gantry" })
    .url("DATABASE_URL is not a URL: expected postgresql://user@host:port/database"),
});

export type DbEnv = z.infer<typeof dbEnvSchema>;

export function parseDbEnv(source: Record<string, string | undefined>): DbEnv {
  return dbEnvSchema.parse(source);
}
