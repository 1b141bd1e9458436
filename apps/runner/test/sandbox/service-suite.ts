// What every provider owes a job that has services and tools (issue #14): the runner's per-job service proxy
// reachable at Sandbox.serviceUrl from inside whatever the egress, only with the job's tokens and only to the
// control plane's actions services and the GitHub API; Node runtimes mounted read-only; the tool cache read-only
// for untrusted jobs and writable for trusted ones. Stubs of the control plane and GitHub are local HTTP servers.
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import dgram from "node:dgram";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { SERVICE_BASE_HEADER } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceProxy, type ServiceProxy } from "../../src/service-proxy/service-proxy";
import type { NetworkPolicy, Sandbox, SandboxProvider, SandboxSpec } from "../../src/sandbox/types";
import { sandboxHarness } from "./isolation-suite";

export interface StubRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  sha256: string;
}

/** A local HTTP server that records each request (its body hashed as it streams) and answers 200 with JSON. */
export async function stubServer(name: string): Promise<{ url: string; port: number; requests: StubRequest[]; close: () => Promise<void> }> {
  const requests: StubRequest[] = [];
  const server = http.createServer((req, res) => {
    const hash = createHash("sha256");
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on("end", () => {
      const record = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, bytes, sha256: hash.digest("hex") };
      requests.push(record);
      if (req.url?.endsWith("/redirect")) {
        res.writeHead(302, { location: "https://elsewhere.example/x" });
        return void res.end();
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ server: name, path: record.path, bytes, sha256: record.sha256 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return { url: `http://127.0.0.1:${address.port}`, port: address.port, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A folder shaped like an unpacked Node runtime (bin/node), made from the node running the tests. */
export function nodeRuntimeDir(parent: string): string {
  const dir = path.join(parent, "node-runtime");
  mkdirSync(path.join(dir, "bin"), { recursive: true, mode: 0o755 });
  const target = path.join(dir, "bin", "node");
  try {
    linkSync(process.execPath, target);
  } catch {
    copyFileSync(process.execPath, target);
  }
  chmodSync(dir, 0o755);
  chmodSync(path.join(dir, "bin"), 0o755);
  return dir;
}

function tunOpenToAll(): boolean {
  try {
    return (statSync("/dev/net/tun").mode & 0o006) === 0o006;
  } catch {
    return false;
  }
}

export interface ServiceSuiteOptions {
  /** Every exec boots a VM or a Sentry: longer timeouts. */
  slow?: boolean;
  /** The provider's network namespace is the host's (process): the stub's own address stays reachable. */
  sharesHostNetwork?: boolean;
  /** Untrusted jobs are refused (process): every case runs trusted. */
  trustedOnly?: boolean;
  /** Egress policies besides `none` the provider gives here (ProbeResult.egress): the services work under each. */
  egress?: readonly NetworkPolicy[];
  /** Inside == host (process): the toolchains are the host's folders as they are, nothing is mounted read-only. */
  hostFilesystem?: boolean;
  /** Host folders are not shared (microvm): paths.node and paths.toolCache must stay undefined. */
  noTools?: boolean;
  /** The address inside that a user-mode stack maps to the host's loopback (microvm: QEMU's 10.0.2.2), tried too. */
  hostAlias?: string;
  /** The services cannot be had under egress open (microvm): serviceUrl must stay undefined there. */
  noServiceWithEgress?: boolean;
}

export function describeServices(name: string, provider: SandboxProvider, available: boolean, options: ServiceSuiteOptions = {}): void {
  const { sandbox, run } = sandboxHarness(provider);
  const timeout = options.slow ? 120_000 : 30_000;
  const untrusted = !options.trustedOnly;

  // A case that does not apply to a provider (its own network, no toolchains, host paths) is not defined for it,
  // rather than reported as skipped.
  const itFor = (applies: boolean) => (applies ? it : () => undefined);
  describe.skipIf(!available)(`${name} services and tools`, () => {
    let controlPlane: Awaited<ReturnType<typeof stubServer>>;
    let github: Awaited<ReturnType<typeof stubServer>>;
    let dir: string;
    let node: string;
    let toolCache: string;
    const runtimeToken = `rt-${randomBytes(12).toString("hex")}`;
    const githubToken = `ghs_${randomBytes(12).toString("hex")}`;
    const proxies: ServiceProxy[] = [];

    beforeAll(async () => {
      controlPlane = await stubServer("control-plane");
      github = await stubServer("github");
      // World-traversable: a sandbox of a uid of its own binds these from the host.
      dir = mkdtempSync(path.join(os.tmpdir(), "gantry-svc-test-"));
      chmodSync(dir, 0o755);
      node = nodeRuntimeDir(dir);
      toolCache = path.join(dir, "toolcache");
      mkdirSync(path.join(toolCache, "node", "20.0.0", "x64"), { recursive: true });
      writeFileSync(path.join(toolCache, "node", "20.0.0", "x64.complete"), "");
      chmodSync(toolCache, 0o777);
    });
    afterAll(async () => {
      await Promise.all(proxies.map((proxy) => proxy.close()));
      await controlPlane.close();
      await github.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function withProxy(spec: Partial<SandboxSpec> = {}): Promise<{ s: Sandbox; proxy: ServiceProxy }> {
      const proxy = await startServiceProxy({ controlPlaneUrl: controlPlane.url, runtimeToken, githubApiUrl: `${github.url}/api/v3`, githubToken });
      proxies.push(proxy);
      const s = await sandbox({ untrusted, network: "none", serviceSocket: proxy.socketPath, tools: { node: { "20": node }, toolCache: { host: toolCache, writable: false } }, ...spec });
      proxy.setServiceBase(s.serviceUrl);
      return { s, proxy };
    }

    it("reaches the actions services with the runtime token under egress none, streaming a large body intact", { timeout }, async () => {
      const { s } = await withProxy();
      expect(s.serviceUrl).toMatch(/^http:\/\/[\d.]+:\d+$/);
      const before = controlPlane.requests.length;
      // 24 MiB of random bytes, hashed inside and at the stub.
      const r = await run(s, `set -e; head -c 25165824 /dev/urandom > big; sha256sum big | cut -d' ' -f1; curl -sS -X POST --data-binary @big -H "Authorization: Bearer ${runtimeToken}" -H "${SERVICE_BASE_HEADER}: http://evil.example" "$SERVICE_URL/api/actions/caches/upload?x=1"`, { SERVICE_URL: s.serviceUrl ?? "" });
      expect(r.exitCode, r.text).toBe(0);
      const inside = r.text.split("\n")[0];
      const got = controlPlane.requests.slice(before);
      expect(got).toHaveLength(1);
      expect(got[0]?.path).toBe("/api/actions/caches/upload?x=1");
      expect(got[0]?.bytes).toBe(25_165_824);
      expect(got[0]?.sha256).toBe(inside);
      // The proxy's own base replaces whatever the job claimed.
      expect(got[0]?.headers[SERVICE_BASE_HEADER]).toBe(s.serviceUrl);
      expect(got[0]?.headers.authorization).toBe(`Bearer ${runtimeToken}`);
      expect(r.text).toContain('"server":"control-plane"');
    });

    it("refuses the services without the token, with a wrong one, other paths and path tricks", { timeout }, async () => {
      const { s } = await withProxy();
      const before = controlPlane.requests.length;
      const status = (args: string) => `curl -s -o /dev/null -w '%{http_code}\\n' --path-as-is ${args}`;
      const r = await run(s, [
        status(`"$U/api/actions/x"`),
        status(`-H "Authorization: Bearer wrong-${runtimeToken}" "$U/api/actions/x"`),
        status(`-H "Authorization: token ${runtimeToken}" "$U/api/actions/x"`),
        status(`-H "Authorization: Bearer ${runtimeToken}" "$U/api/runner/v1/claim"`),
        status(`-H "Authorization: Bearer ${runtimeToken}" "$U/api/actions/../runner/v1/claim"`),
        status(`-H "Authorization: Bearer ${runtimeToken}" "$U/api/actions/%2e%2e/runner/v1/claim"`),
        status(`-H "Authorization: Bearer ${runtimeToken}" "$U/"`),
        `curl -s -H "Authorization: Bearer ${runtimeToken}" "$U/api/runner/v1/claim"`,
      ].join("; "), { U: s.serviceUrl ?? "" });
      expect(r.text.trim().split("\n").slice(0, 7)).toEqual(["403", "403", "403", "403", "403", "403", "403"]);
      expect(r.text).toMatch(/gantry service proxy: only \/api\/actions\//);
      expect(controlPlane.requests.length).toBe(before);
    });

    it("forwards /github-api/ to GitHub only with the job's GITHUB_TOKEN, and passes redirects back", { timeout }, async () => {
      const { s } = await withProxy();
      const before = github.requests.length;
      const r = await run(s, [
        `curl -s -H "Authorization: token ${githubToken}" "$U/github-api/repos/o/r"`,
        "echo",
        `curl -s -H "Authorization: Bearer ${githubToken}" "$U/github-api/repos/o/r/issues?page=2"`,
        "echo",
        `curl -s -o /dev/null -w '%{http_code}\\n' "$U/github-api/repos/o/r"`,
        `curl -s -o /dev/null -w '%{http_code}\\n' -H "Authorization: Bearer ${runtimeToken}" "$U/github-api/repos/o/r"`,
        `curl -s -o /dev/null -w '%{http_code} %{redirect_url}\\n' -H "Authorization: token ${githubToken}" "$U/github-api/redirect"`,
      ].join("; "), { U: s.serviceUrl ?? "" });
      const lines = r.text.trim().split("\n");
      expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ server: "github", path: "/api/v3/repos/o/r" });
      expect(JSON.parse(lines[1] ?? "{}")).toMatchObject({ server: "github", path: "/api/v3/repos/o/r/issues?page=2" });
      expect(lines.slice(2)).toEqual(["403", "403", "302 https://elsewhere.example/x"]);
      expect(github.requests.slice(before).map((q) => q.path)).toEqual(["/api/v3/repos/o/r", "/api/v3/repos/o/r/issues?page=2", "/api/v3/redirect"]);
      expect(github.requests.slice(before).every((q) => q.headers[SERVICE_BASE_HEADER] === undefined)).toBe(true);
    });

    // slirp4netns runs as the sandbox's uid: a host whose /dev/net/tun only root may open cannot attach it.
    (options.egress?.includes("open") ? it.skipIf(!tunOpenToAll()) : () => undefined)("reaches the services the same way under egress open", { timeout }, async () => {
      const { s } = await withProxy({ untrusted: false, network: "open" });
      if (options.noServiceWithEgress) return void expect(s.serviceUrl).toBeUndefined();
      const before = controlPlane.requests.length;
      const r = await run(s, `curl -sS -H "Authorization: Bearer ${runtimeToken}" "$U/api/actions/open"`, { U: s.serviceUrl ?? "" });
      expect(r.text).toContain('"path":"/api/actions/open"');
      expect(controlPlane.requests.slice(before).map((q) => q.path)).toEqual(["/api/actions/open"]);
    });

    itFor(!options.sharesHostNetwork)("still cannot reach the stub's own address directly under egress none", { timeout }, async () => {
      const { s } = await withProxy();
      const before = controlPlane.requests.length;
      const targets = [controlPlane.url, ...(options.hostAlias ? [`http://${options.hostAlias}:${controlPlane.port}`] : [])];
      // UDP too, where a user-mode stack could carry it to the host (a listener on the host's loopback counts datagrams).
      const udp = dgram.createSocket("udp4");
      let datagrams = 0;
      udp.on("message", () => datagrams++);
      await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", () => resolve()));
      const udpLine = options.hostAlias ? `; echo ping > /dev/udp/${options.hostAlias}/${udp.address().port}; sleep 1` : "";
      const r = await run(s, targets.map((url) => `curl -sS -m 5 -H "Authorization: Bearer ${runtimeToken}" "${url}/api/actions/x" && echo REACHED; echo rc=$?`).join("; ") + udpLine);
      udp.close();
      expect(datagrams).toBe(0);
      expect(r.text).not.toContain("REACHED");
      expect(controlPlane.requests.length).toBe(before);
    });

    itFor(!!options.hostFilesystem)("hands the host's Node runtime and tool cache as they are", { timeout }, async () => {
      const { s } = await withProxy();
      expect(s.paths.node).toEqual({ "20": path.join(node, "bin", "node") });
      expect(s.paths.toolCache).toBe(toolCache);
      const r = await run(s, `"$N" -e 'console.log("node-ok", process.version)'`, { N: s.paths.node?.["20"] ?? "" });
      expect(r.text).toContain(`node-ok ${process.version}`);
    });

    itFor(!!options.noTools)("leaves the toolchain paths undefined when it cannot share host folders", { timeout }, async () => {
      const { s } = await withProxy();
      expect(s.paths.node).toBeUndefined();
      expect(s.paths.toolCache).toBeUndefined();
    });

    itFor(!(options.hostFilesystem || options.noTools))("mounts the Node runtime read-only and runs node from it", { timeout }, async () => {
      const { s } = await withProxy();
      const inside = s.paths.node?.["20"];
      expect(inside).toBe("/opt/gantry/node20/bin/node");
      const r = await run(s, `"$N" -e 'console.log("node-ok", process.version)'; touch "$(dirname "$N")/x" && echo WROTE; echo > "$N" && echo CLOBBERED; echo end`, { N: inside ?? "" });
      expect(r.text).toContain(`node-ok ${process.version}`);
      expect(r.text).not.toContain("WROTE");
      expect(r.text).not.toContain("CLOBBERED");
      expect(statSync(path.join(node, "bin", "node")).size).toBeGreaterThan(1000);
    });

    itFor(!(options.trustedOnly || options.noTools))("mounts the tool cache read-only for an untrusted job", { timeout }, async () => {
      const { s } = await withProxy();
      const r = await run(s, `ls "$T/node"; touch "$T/node/mine" && echo WROTE; echo end`, { T: s.paths.toolCache ?? "" });
      expect(r.text).toContain("20.0.0");
      expect(r.text).not.toContain("WROTE");
      expect(existsSync(path.join(toolCache, "node", "mine"))).toBe(false);
    });

    itFor(!(options.hostFilesystem || options.noTools))("mounts the tool cache writable for a trusted job", { timeout }, async () => {
      const name = `tool-${randomBytes(4).toString("hex")}`;
      const { s } = await withProxy({ untrusted: false, tools: { node: { "20": node }, toolCache: { host: toolCache, writable: true } } });
      const r = await run(s, `mkdir "$T/${name}" && echo wrote; echo end`, { T: s.paths.toolCache ?? "" });
      expect(s.paths.toolCache).toBe("/opt/hostedtoolcache");
      expect(r.text).toContain("wrote");
      expect(readdirSync(toolCache)).toContain(name);
    });

    it("the job's NODE_* variables reach its command, not the forwarder", { timeout }, async () => {
      const { s } = await withProxy();
      // A --require of a file that is not there would stop a node that took it before the command ran; a coverage
      // folder would get the forwarder's coverage file.
      const coverage = `${s.paths.temp}/cov-${randomBytes(4).toString("hex")}`;
      const r = await run(s, `echo "opts=$NODE_OPTIONS"; echo "cov=$NODE_V8_COVERAGE"; echo "held=\${GANTRY_FORWARDER_HELD_ENV-unset}"`, { NODE_OPTIONS: "--require /nonexistent/preload.js", NODE_V8_COVERAGE: coverage });
      expect(r.exitCode, r.text).toBe(0);
      expect(r.text).toContain("opts=--require /nonexistent/preload.js");
      expect(r.text).toContain(`cov=${coverage}`);
      expect(r.text).toContain("held=unset");
      // The forwarder has exited by now: a Node that took NODE_V8_COVERAGE would have written its file.
      const after = await run(s, `ls -A "${coverage}" 2>/dev/null | wc -l`);
      expect(after.text.trim()).toBe("0");
    });

    it("removes the socket when the proxy closes after destroy", { timeout }, async () => {
      const { s, proxy } = await withProxy();
      expect(existsSync(proxy.socketPath)).toBe(true);
      await s.destroy();
      await proxy.close();
      expect(existsSync(proxy.socketPath)).toBe(false);
      expect(existsSync(path.dirname(proxy.socketPath))).toBe(false);
    });
  });
}
