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
// Node with tsx's loader, not the tsx CLI: the CLI relays signals to its child and SIGKILLs it when the child does not
// acknowledge one within 30 ms, cutting a benchmark's clean-up short on a loaded machine (scripts/up.mjs says more).
const result = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "bench", `${name}.ts`), ...rest], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
