// `tsx packages/db/src/seed-cli.ts`: seeds the demo tenant (used by the up-command).
// Env: DATABASE_URL, GANTRY_DEMO_REPO_URL, GANTRY_RUNNER_TOKEN, GANTRY_DEMO_PROVIDER (optional).
import { z } from "zod";
import { openDatabase } from "./database";
import { dbEnvSchema } from "./env";
import { parseMasterKey } from "./secrets";
import { seedDemo } from "./seed";

const env = dbEnvSchema
  .extend({
    GANTRY_DEMO_REPO_URL: z.string().min(1),
    GANTRY_RUNNER_TOKEN: z.string().min(20),
    GANTRY_DEMO_PROVIDER: z.enum(["MICROVM", "GVISOR", "BWRAP", "PROCESS"]).default("PROCESS"),
    GANTRY_MASTER_KEY: z.string().min(1),
    GANTRY_DEMO_NOTIFY_SECRET: z.string().min(20),
  })
  .parse(process.env);
const db = openDatabase(env.DATABASE_URL);
try {
  await seedDemo(db, {
    repositoryUrl: env.GANTRY_DEMO_REPO_URL,
    runnerRegistrationToken: env.GANTRY_RUNNER_TOKEN,
    provider: env.GANTRY_DEMO_PROVIDER,
    gitNotify: { masterKey: parseMasterKey(env.GANTRY_MASTER_KEY), secret: env.GANTRY_DEMO_NOTIFY_SECRET },
  });
  console.log("seeded the demo tenant");
} finally {
  await db.close();
}
