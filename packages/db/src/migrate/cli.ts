// db:migrate — apply pending migrations to DATABASE_URL.  db:migration <name> — author a new migration.
import { parseDbEnv } from "../env";
import { migrate } from "./migrator";
import { newMigration } from "./new-migration";

const [command, name] = process.argv.slice(2);
if (command === "new") {
  if (!name) throw new Error("usage: npm run db:migration -- <name>");
  const dir = newMigration(name);
  console.log(dir ? `wrote ${dir}` : "prisma/schema.prisma matches the last migration: nothing to write.");
} else {
  const env = parseDbEnv(process.env);
  const result = await migrate(env.DATABASE_URL);
  console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
}
