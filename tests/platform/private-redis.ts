// A Redis of one test's own (Debian's redis-server, no persistence), for tests that flush or restart it: the shared
// Redis at 127.0.0.1:6379 serves every other test file running at the same time and must never be flushed.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

export interface PrivateRedis {
  url: string;
  /** A client of its own (closed by stop). */
  client: Redis;
  /** Kills the server and starts it again on the same port: empty, as a restart without persistence leaves it. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether Debian's redis-server can be started here (apt-get install redis-server); null when it can, else why not. */
export function privateRedisUnavailable(): string | null {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  return probe.status === 0 ? null : "redis-server is not on PATH (apt-get install redis-server)";
}

/** A port the OS just had free (redis-server has no --port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Starts redis-server on `port`; resolves to a function that kills it and resolves when it has exited. */
function serve(port: number): () => Promise<void> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return async () => {
    child.kill("SIGKILL");
    await exited;
  };
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let kill = serve(port);
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on("error", () => undefined);
  await client.ping();
  return {
    url,
    client,
    async restart() {
      await kill();
      kill = serve(port);
      const deadline = Date.now() + 10_000;
      while ((await client.ping().catch(() => null)) !== "PONG") {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not come back`);
      }
    },
    async stop() {
      client.disconnect();
      await kill();
    },
  };
}
