import { spawnSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../paths";

/**
 * Runs the Prisma CLI from the repository root (where prisma.config.ts selects the WASM schema engine).
 * The CLI insists on a schema-engine binary even when the WASM engine does the work; on a machine that
 * cannot download one we point it at any existing file, which the js engine never executes.
 */
export function runPrisma(args: string[]): string {
  const bin = path.join(REPO_ROOT, "node_modules/.bin/prisma");
  const result = spawnSync(bin, args, {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
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
