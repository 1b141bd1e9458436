import { spawnSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../paths";

/** Runs the Prisma CLI through scripts/prisma.mjs (which holds the offline engine settings) and returns stdout. */
export function runPrisma(args: string[]): string {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/prisma.mjs"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`prisma ${args.join(" ")} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/** The SQL that creates a schema from nothing. */
export function sqlForSchema(schemaPath: string): string {
  return stripNoise(runPrisma(["migrate", "diff", "--from-empty", "--to-schema-datamodel", schemaPath, "--script"]));
}

/** The SQL that turns one schema into another; empty when they are the same. */
export function sqlBetweenSchemas(fromPath: string | null, toPath: string): string {
  const from = fromPath ? ["--from-schema-datamodel", fromPath] : ["--from-empty"];
  return stripNoise(runPrisma(["migrate", "diff", ...from, "--to-schema-datamodel", toPath, "--script"]));
}

// `migrate diff` prints an empty-migration comment when nothing differs, and a CREATE SCHEMA for public.
function stripNoise(sql: string): string {
  const lines = sql.split("\n").filter((line) => !line.startsWith("Loaded Prisma config"));
  const text = lines.join("\n").trim();
  return text === "-- This is an empty migration." ? "" : text;
}
