// Generates the Prisma client (Rust-free, engineType "client") into packages/db/src/generated.
// `--if-stale` skips it when the client is newer than prisma/schema.prisma.
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
const result = spawnSync(process.execPath, [path.join(root, "scripts/prisma.mjs"), "generate"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
process.exit(result.status ?? 1);
