// Generates the Prisma client (Rust-free, engineType "client") into packages/db/src/generated.
// The CLI wants a schema-engine binary even though generate and the js engine never run it; on a machine
// that cannot download one we point it at node itself (see README "Migrations").
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schema = path.join(root, "prisma/schema.prisma");
const marker = path.join(root, "packages/db/src/generated/prisma/client.ts");

if (process.argv.includes("--if-stale") && existsSync(marker) && statSync(marker).mtimeMs >= statSync(schema).mtimeMs) {
  process.exit(0);
}
const result = spawnSync(path.join(root, "node_modules/.bin/prisma"), ["generate"], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  },
});
process.exit(result.status ?? 1);
