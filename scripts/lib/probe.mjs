// Does a Postgres or Redis answer at this URL? One clear sentence when it does not (issue 2: "bad input").
import net from "node:net";
import pg from "pg";

/** Postgres answers `SELECT 1` at url. Returns null when fine, else a one-line reason. */
export async function probePostgres(url, timeoutMs = 3000) {
  let parsed;
  try {
    parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) return `DATABASE_URL must start with postgresql:// (got ${parsed.protocol})`;
  } catch {
    return `DATABASE_URL is not a URL: "${url}" (expected postgresql://user@host:port/database)`;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    const code = error?.code;
    const where = `${parsed.hostname}:${parsed.port || 5432}`;
    if (code === "ECONNREFUSED") return `nothing listens on ${where}`;
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `host ${parsed.hostname} is not known`;
    if (code === "3D000") return `database ${parsed.pathname.slice(1)} does not exist on ${where}`;
    if (code === "28P01" || code === "28000") return `Postgres at ${where} refused the credentials for ${parsed.username || "(no user)"}`;
    return `${where}: ${error?.message ?? String(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Redis answers PING at url (redis://[:password@]host:port[/db]). null when fine, else a one-line reason. */
export function probeRedis(url, timeoutMs = 3000) {
  let parsed;
  try {
    parsed = new URL(url);
    if (parsed.protocol !== "redis:") return Promise.resolve(`REDIS_URL must start with redis:// (got ${parsed.protocol})`);
  } catch {
    return Promise.resolve(`REDIS_URL is not a URL: "${url}" (expected redis://host:port)`);
  }
  const host = parsed.hostname || "127.0.0.1";
  const port = Number(parsed.port || 6379);
  const commands = [];
  if (parsed.password) commands.push(`AUTH ${decodeURIComponent(parsed.username || "default")} ${decodeURIComponent(parsed.password)}`);
  commands.push("PING");
  return new Promise((resolve) => {
    const socket = net.createConnection({ host, port });
    let reply = "";
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(`${host}:${port} did not answer within ${timeoutMs} ms`));
    socket.on("connect", () => socket.write(commands.map((c) => `${c}\r\n`).join("")));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("+PONG")) done(null);
      else if (reply.startsWith("-")) done(`${host}:${port} answered ${reply.split("\r\n")[0]}`);
    });
    socket.on("error", (error) => {
      if (error.code === "ECONNREFUSED") done(`nothing listens on ${host}:${port}`);
      else done(`${host}:${port}: ${error.message}`);
    });
  });
}
