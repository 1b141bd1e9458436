// `npm run bench -- NAME`: runs bench/NAME.ts. Each benchmark prints readable figures and, as its last
// line, one JSON object of them (named as in its issue).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const available = existsSync(path.join(root, "bench"))
  ? readdirSync(path.join(root, "bench")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3))
  : [];
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (available: ${available.join(", ") || "none yet"})`);
  process.exit(name ? 1 : 0);
}
const result = spawnSync(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "bench", `${name}.ts`), ...rest], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
