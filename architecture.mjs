// The architecture's import boundaries, in one place: eslint.config.js generates its `no-restricted-imports` rules
// from this, and tests/platform/architecture.test.ts checks docs/architecture.md's table and every package.json
// against it. Each part may import exactly the internal packages listed (by their @gantry/ name), plus what it
// names in `also` for third-party limits, and never another part's files by path.
export const PARTS = {
  "packages/workflow-schema": { mayImport: [], why: "workflow-schema is pure: it imports nothing internal." },
  "packages/runner-protocol": { mayImport: [], why: "Contract packages import nothing internal." },
  "packages/jobs": { mayImport: [], why: "Contract packages import nothing internal." },
  "packages/storage": { mayImport: [], why: "packages/storage is the object store: it imports nothing internal." },
  "packages/sources": { mayImport: [], why: "packages/sources reads git and GitHub contents; it knows no database and no app." },
  "packages/testing": { mayImport: [], why: "packages/testing is what tests share (until, manualClock): it imports nothing internal." },
  "packages/scheduler": { mayImport: [], forbid: ["pg", "@prisma/*"], why: "packages/scheduler is the fair queue: pure Redis, it imports nothing internal." },
  "packages/db": { mayImport: ["runner-protocol"], why: "packages/db is below everything but the contracts." },
  "packages/github": { mayImport: ["db", "sources"], why: "packages/github is the GitHub client and fakes: below the engine and the apps." },
  "packages/engine": {
    mayImport: ["db", "jobs", "runner-protocol", "scheduler", "workflow-schema"],
    forbid: ["bullmq"],
    why: "packages/engine owns the job lifecycle: below the apps, over db, scheduler, jobs, runner-protocol and workflow-schema.",
  },
  "apps/runner": {
    mayImport: ["runner-protocol", "workflow-schema"],
    // The checkout tests mint real installation tokens against the fake GitHub to hand the runner.
    testsMayImport: ["github"],
    forbid: ["ioredis", "bullmq", "pg", "@prisma/*"],
    why: "The runner is the data plane: it talks to the control plane over HTTP only.",
  },
  "apps/worker": { mayImport: ["db", "engine", "github", "jobs", "scheduler", "sources", "storage", "workflow-schema"], why: "The worker never imports web or runner." },
  "apps/cli": {
    mayImport: ["workflow-schema"],
    forbid: ["ioredis", "bullmq", "pg", "@prisma/*", "@trpc/*"],
    why: "The CLI is a client: it speaks the control plane's HTTP API (docs/api.md) and imports no server part.",
  },
  "apps/web": { mayImport: ["db", "engine", "github", "jobs", "runner-protocol", "scheduler", "sources", "storage", "workflow-schema"], why: "The web app never imports the worker or the runner." },
};

/** Every internal package name (the part's directory name), for the rules' "everything not listed". */
export const INTERNAL = Object.keys(PARTS).map((part) => part.split("/")[1]);

/**
 * What a part may not import: unlisted @gantry packages, other parts' files by path, its own extras. Tests
 * (`tests: true`) may also use any package's `/testing` entry (the fakes and fixtures) and their `testsMayImport`.
 * Returned as no-restricted-imports pattern objects.
 */
export function forbiddenFor(part, { tests = false } = {}) {
  const { mayImport, forbid = [], testsMayImport = [], why } = PARTS[part];
  const [kind, name] = part.split("/");
  // Every part's tests share @gantry/testing (until); no part's own code may import it.
  const allowed = new Set([name, ...mayImport, ...(tests ? [...testsMayImport, "testing"] : [])]);
  const others = INTERNAL.filter((other) => !allowed.has(other));
  const paths = Object.keys(PARTS).filter((other) => other !== part).map((other) => `**/${other}/**`);
  const groups = [...paths, ...forbid, ...(kind === "packages" ? ["**/apps/**"] : [])];
  return [
    ...(others.length > 0 ? [{ regex: `^@gantry/(${others.join("|")})(/${tests ? "(?!testing$)" : ""}.*)?$`, message: why }] : []),
    { group: groups, message: why },
  ];
}
