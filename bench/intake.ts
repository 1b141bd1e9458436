/**
 * Benchmark `intake`: GitHub webhook deliveries against the production build of apps/web (`next build`, reused
 * while fresh; its production server apps/web/server.ts on loopback), driven by autocannon. Every request is a published `push` example
 * (@octokit/webhooks-examples) for a repository connected through an installation, signed with the App's
 * webhook secret, under a fresh X-GitHub-Delivery id — so each one is verified, resolved to its tenant and
 * repository, stored as a WebhookDelivery row and queued for intake, exactly as in production. No worker runs:
 * the figure is "accepted durably", and the rows are counted afterwards (lost = 202 answers without a row).
 * Goal (issue #4): ≥ 2,000 deliveries/s with p99 < 50 ms on this 2-core machine, zero lost.
 * Run: npm run bench -- intake [--duration=S] [--connections=N] [--profile=DIR: CPU profile of the server into DIR].
 * Last line: one JSON object.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { openDatabase, seedDemo, DEMO } from "../packages/db/src/index";
import { createTestDatabase } from "../packages/db/src/testing/index";
import { signWebhook } from "../packages/github/src/index";
import { publishedExamples } from "../packages/github/src/testing/index";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const option = (name: string, fallback: number) => {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return found ? Number(found.slice(name.length + 3)) : fallback;
};
const DURATION_S = option("duration", 10);
// 48 senders at once: enough concurrency that the server, not the senders, sets the pace (16 is latency-bound:
// each connection waits for its answer, ~10 ms here, before sending again).
const CONNECTIONS = option("connections", 48);
const INSTALLATION_ID = 4_242_001;
const PROFILE_DIR = process.argv.find((arg) => arg.startsWith("--profile="))?.slice("--profile=".length);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function ensureWebBuild(): Promise<void> {
  const module = (await import(pathToFileURL(path.join(ROOT, "scripts/lib/web-build.mjs")).href)) as { ensureWebBuild: (options: object) => boolean };
  module.ensureWebBuild({ log: (line: string) => console.log(`[bench intake] ${line}`), env: { ...process.env, NODE_ENV: "production" } });
}

function fire(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function main() {
  await ensureWebBuild();
  const database = await createTestDatabase();
  const db = openDatabase(database.url, { poolSize: 2 });
  const redisUrl = process.env.GANTRY_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `gantry-bench-${randomBytes(4).toString("hex")}`;
  let server: ChildProcess | undefined;
  let output = "";
  try {
    await seedDemo(db, { repositoryUrl: "/tmp/gantry-bench/demo.git", runnerRegistrationToken: "grt_bench" });
    const push = publishedExamples("push").find((example) => typeof example.repository === "object");
    if (!push) throw new Error("@octokit/webhooks-examples has no push example with a repository");
    const repository = push.repository as { id: number; full_name: string };
    const sys = db.system("bench: connect a repository through an installation");
    const tenant = await sys.tenant.findUniqueOrThrow({ where: { slug: DEMO.tenantSlug } });
    await sys.installation.create({ data: { id: "inst-bench", tenantId: tenant.id, githubInstallationId: BigInt(INSTALLATION_ID), accountLogin: "bench-org", accountType: "Organization" } });
    await sys.repository.create({ data: { id: "repo-bench", tenantId: tenant.id, installationId: "inst-bench", githubRepoId: BigInt(repository.id), fullName: repository.full_name } });
    const body = JSON.stringify({ ...push, installation: { id: INSTALLATION_ID, node_id: "bench" } });
    const secret = randomBytes(24).toString("hex");
    const signature = signWebhook(secret, body);

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    // The production server (apps/web/server.ts: Next behind the fast paths), as the up-command starts it.
    const web = ["--import", "tsx", path.join(ROOT, "apps/web/server.ts"), "--port", String(port), "--hostname", "127.0.0.1"];
    server = spawn(process.execPath, [...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []), ...web], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        GANTRY_QUEUE_PREFIX: prefix,
        NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
        NEXTAUTH_URL: baseUrl,
        GANTRY_GITHUB_APP_ID: "4242",
        GANTRY_GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        GANTRY_GITHUB_WEBHOOK_SECRET: secret,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    });
    server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitFor("next start answers /api/health", 60_000, async () => (await fetch(`${baseUrl}/api/health`)).ok);

    const request = (delivery: string) => ({
      method: "POST" as const,
      path: "/api/github/webhooks",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": delivery, "x-hub-signature-256": signature, "user-agent": "GitHub-Hookshot/bench" },
      body,
    });
    // A fresh delivery id per request: each one is a new delivery, not a redelivery.
    const run = (seconds: number) =>
      fire({ url: baseUrl, connections: CONNECTIONS, duration: seconds, requests: [{ setupRequest: (req) => ({ ...req, ...request(randomUUID()) }) }] });
    // Warm the route (JIT, the Prisma pool, BullMQ's scripts) before measuring.
    await run(2);
    const before = await sys.webhookDelivery.count();
    const result = await run(DURATION_S);
    const stored = (await sys.webhookDelivery.count()) - before;
    const answered202 = result["2xx"];
    const lost = Math.max(0, answered202 - stored);

    const figures = {
      deliveries_per_s: Math.round(answered202 / DURATION_S),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      max_ms: result.latency.max,
      accepted: answered202,
      stored,
      lost,
      non_2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      connections: CONNECTIONS,
      duration_s: DURATION_S,
    };
    console.log(`intake: POST /api/github/webhooks on the production web server, ${CONNECTIONS} connections for ${DURATION_S} s (after a 2 s warm-up)`);
    console.log(`  accepted  ${figures.accepted} deliveries (202), ${figures.deliveries_per_s}/s   goal ≥ 2000/s`);
    console.log(`  latency   p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms, max ${figures.max_ms} ms   goal p99 < 50 ms`);
    console.log(`  durable   ${figures.stored} rows stored, ${figures.lost} lost, ${figures.non_2xx} non-2xx, ${figures.errors} errors   goal 0 lost`);
    console.log(JSON.stringify(figures));
    if (lost > 0) process.exitCode = 1;
  } catch (error) {
    console.error(output.slice(-3000));
    throw error;
  } finally {
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      process.kill(-server.pid, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await db.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
