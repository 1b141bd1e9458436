// How processes inside a sandbox reach the runner's per-job service proxy (service-proxy/service-proxy.ts), a
// unix socket on the host, whatever the sandbox's network: the socket is bound into the sandbox and a small
// forwarder listens on the sandbox's own loopback (TCP 127.0.0.1:SERVICE_PORT_INSIDE) and copies each connection
// to the socket. It runs inside, as the job's user, under the job's seccomp filter and limits; the job's command
// is its child, started once it listens, so the port is there from the first instruction. Killing it gains the
// job nothing: it can only reach the socket, which checks the job's tokens itself. Each exec gets its own (bwrap
// and gVisor give every exec a network namespace of its own under egress none).
//
// The forwarder runs on the job's Node runtime (SandboxSpec.tools.node) when there is one, else on the runner's
// own `node` bound read-only. The job's NODE_OPTIONS would load its code into the forwarder (and NODE_V8_COVERAGE,
// NODE_COMPILE_CACHE and the like make Node write files), so the forwarder starts without any NODE_* or UV_*
// variable and hands them back to the job's command.
import { writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { ToolLayout, ToolMount } from "./tool-mounts";

export const SERVICE_PORT_INSIDE = 41_780;
export const SERVICE_SOCKET_INSIDE = "/run/gantry/service.sock";
const FORWARDER_INSIDE = "/opt/gantry/service-forwarder.cjs";
const LAUNCHER_NODE_INSIDE = "/opt/gantry/forwarder-node";

/** The env variable carrying the job's NODE_* and UV_* variables (JSON) past the forwarder to the command. */
const HELD_ENV = "GANTRY_FORWARDER_HELD_ENV";
const heldByForwarder = (name: string) => name.startsWith("NODE_") || name.startsWith("UV_");

/** argv: port, socket, "--", the command. */
const FORWARDER_SOURCE = `"use strict";
const net = require("node:net");
const { spawn } = require("node:child_process");
const { constants } = require("node:os");
const [port, socket, separator, ...argv] = process.argv.slice(2);
if (separator !== "--" || argv.length === 0) { process.stderr.write("gantry: service forwarder: bad arguments\\n"); process.exit(125); }
const server = net.createServer((client) => {
  const upstream = net.connect(socket);
  const drop = () => { client.destroy(); upstream.destroy(); };
  client.on("error", drop);
  upstream.on("error", drop);
  client.pipe(upstream);
  upstream.pipe(client);
});
server.on("error", (error) => { process.stderr.write("gantry: the service forwarder cannot listen on 127.0.0.1:" + port + ": " + error.message + "\\n"); process.exit(125); });
server.listen(Number(port), "127.0.0.1", () => {
  const { ${HELD_ENV}: held, ...env } = process.env;
  if (held !== undefined) Object.assign(env, JSON.parse(held));
  const child = spawn(argv[0], argv.slice(1), { stdio: "inherit", env });
  child.on("error", (error) => { process.stderr.write(argv[0] + ": " + error.message + "\\n"); process.exit(error.code === "ENOENT" ? 127 : 126); });
  child.on("exit", (code, signal) => {
    if (signal === null) process.exit(code === null ? 1 : code);
    process.removeAllListeners(signal);
    try { process.kill(process.pid, signal); } catch {}
    setTimeout(() => process.exit(128 + (constants.signals[signal] || 0)), 50);
  });
});
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => {});
`;

export interface InsideForwarder {
  /** Read-only binds besides the socket: the script, and the runner's node when the job has no runtime. */
  mounts: ToolMount[];
  /** The host socket and where it appears inside (bind it writable: connect() needs write permission). */
  socket: { host: string; inside: string };
  serviceUrl: string;
  /** The exec's argv and env with the forwarder in front. */
  wrap(argv: string[], env: Record<string, string>): { argv: string[]; env: Record<string, string> };
}

/** The forwarder of a sandbox whose tools are laid out as `layout`; its script is written into `dir` (the sandbox's host folder). */
export function insideForwarder(socketPath: string, dir: string, layout: ToolLayout): InsideForwarder {
  const script = path.join(dir, "service-forwarder.cjs");
  writeFileSync(script, FORWARDER_SOURCE, { mode: 0o644 });
  const mounts: ToolMount[] = [{ host: script, inside: FORWARDER_INSIDE, writable: false }];
  const majors = Object.keys(layout.paths.node ?? {}).sort((a, b) => Number(b) - Number(a));
  let node = majors[0] === undefined ? undefined : layout.paths.node?.[majors[0]];
  if (node === undefined) {
    mounts.push({ host: process.execPath, inside: LAUNCHER_NODE_INSIDE, writable: false });
    node = LAUNCHER_NODE_INSIDE;
  }
  const launcher = node;
  return {
    mounts,
    socket: { host: socketPath, inside: SERVICE_SOCKET_INSIDE },
    serviceUrl: `http://127.0.0.1:${SERVICE_PORT_INSIDE}`,
    wrap(argv, env) {
      const held = Object.fromEntries(Object.entries(env).filter(([name]) => heldByForwarder(name)));
      const rest = Object.fromEntries(Object.entries(env).filter(([name]) => !heldByForwarder(name) && name !== HELD_ENV));
      if (Object.keys(held).length > 0) rest[HELD_ENV] = JSON.stringify(held);
      // One V8 worker thread and a small heap: the forwarder's threads and memory count against the job's limits.
      return { argv: [launcher, "--v8-pool-size=1", "--max-old-space-size=32", "--max-semi-space-size=1", FORWARDER_INSIDE, String(SERVICE_PORT_INSIDE), SERVICE_SOCKET_INSIDE, "--", ...argv], env: rest };
    },
  };
}

/** For QEMU's guestfwd (microvm): one connection on stdin/stdout, copied to the socket given as argv. */
const STDIO_FORWARDER_SOURCE = `"use strict";
const socket = require("node:net").connect(process.argv[2]);
const end = () => process.exit(0);
socket.on("error", () => process.exit(1));
socket.on("close", end);
process.stdin.on("error", end);
process.stdin.pipe(socket);
socket.pipe(process.stdout);
`;

/** Writes the guestfwd program into `dir` (the sandbox's host folder) and returns its path. */
export function writeStdioForwarder(dir: string): string {
  const script = path.join(dir, "service-stdio-forwarder.cjs");
  writeFileSync(script, STDIO_FORWARDER_SOURCE, { mode: 0o644 });
  return script;
}

export interface LoopbackForwarder {
  url: string;
  close(): Promise<void>;
}

/** For a sandbox without a network namespace (process): a listener on the host's loopback copying to the socket. */
export async function loopbackForwarder(socketPath: string): Promise<LoopbackForwarder> {
  const server = net.createServer((client) => {
    const upstream = net.connect(socketPath);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop);
    upstream.on("error", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const open = new Set<net.Socket>();
  server.on("connection", (socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the loopback forwarder has no TCP address");
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      });
      return closed;
    },
  };
}
