// The service proxy itself, spoken to on its socket from the host: what it refuses before any sandbox is
// involved (oversized heads, absolute-form targets, tunnels), the socket's mode, and upstream failures.
import { statSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeTarget, startServiceProxy, type ServiceProxy } from "../src/service-proxy/service-proxy";
import { stubServer } from "./sandbox/service-suite";

const token = "runtime-token-xyz";

function ask(socketPath: string, options: http.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, ...options }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the service proxy", () => {
  let stub: Awaited<ReturnType<typeof stubServer>>;
  let proxy: ServiceProxy;
  beforeAll(async () => {
    stub = await stubServer("control-plane");
    proxy = await startServiceProxy({ controlPlaneUrl: `${stub.url}/base`, runtimeToken: token });
  });
  afterAll(async () => {
    await proxy.close();
    await stub.close();
  });

  it("listens on a socket only its owner may open", () => {
    expect(statSync(proxy.socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(proxy.socketPath).isSocket()).toBe(true);
  });

  it("keeps the control plane's base path and has no GitHub route without a GITHUB_TOKEN", async () => {
    const ok = await ask(proxy.socketPath, { path: "/api/actions/x", headers: { authorization: `Bearer ${token}` } });
    expect(JSON.parse(ok.body)).toMatchObject({ path: "/base/api/actions/x" });
    const github = await ask(proxy.socketPath, { path: "/github-api/repos/o/r", headers: { authorization: `token ${token}` } });
    expect(github.status).toBe(403);
  });

  it("passes a signed URL of the services without a token, but not one with a wrong token", async () => {
    const signed = await ask(proxy.socketPath, { path: "/api/actions/blobs/b1?g=abc&sig=def", method: "PUT" });
    expect(JSON.parse(signed.body)).toMatchObject({ path: "/base/api/actions/blobs/b1?g=abc&sig=def" });
    const wrong = await ask(proxy.socketPath, { path: "/api/actions/blobs/b1?g=abc&sig=def", method: "PUT", headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(403);
    const unsigned = await ask(proxy.socketPath, { path: "/api/actions/blobs/b1?g=abc&sig=", method: "PUT" });
    expect(unsigned.status).toBe(403);
  });

  it("answers 431 to an oversized head and refuses absolute-form targets", async () => {
    const big = await ask(proxy.socketPath, { path: "/api/actions/x", headers: { authorization: `Bearer ${token}`, "x-pad": "a".repeat(20_000) } });
    expect(big.status).toBe(431);
    const absolute = await ask(proxy.socketPath, { path: `${stub.url}/api/actions/x`, headers: { authorization: `Bearer ${token}` } });
    expect(absolute).toMatchObject({ status: 403, body: expect.stringContaining("origin-form") });
  });

  it("opens no tunnel for CONNECT", async () => {
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(proxy.socketPath, () => socket.write(`CONNECT 127.0.0.1:${stub.port} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`));
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(text));
    });
    expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it("answers 502 when the upstream is down", async () => {
    const down = await startServiceProxy({ controlPlaneUrl: "http://127.0.0.1:9", runtimeToken: token });
    try {
      const answer = await ask(down.socketPath, { path: "/api/actions/x", headers: { authorization: `Bearer ${token}` } });
      expect(answer).toMatchObject({ status: 502, body: expect.stringContaining("did not answer") });
    } finally {
      await down.close();
    }
  });
});

describe("safeTarget", () => {
  it.each(["/api/actions/a/../b", "/api/actions/./b", "/api/actions//b", "/api/actions/%2E%2e/b", "/api/actions/a%2fb", "/api/actions/a\\b", "http://x/api/actions/", "*"])("refuses %s", (target) => {
    expect("error" in safeTarget(target)).toBe(true);
  });
  it.each(["/api/actions/", "/api/actions/_apis/artifactcache/cache?keys=a,b&version=1", "/github-api/repos/o/r/issues/1/comments", "/api/actions/a%20b"])("takes %s", (target) => {
    expect(safeTarget(target)).toEqual({ path: target });
  });
});
