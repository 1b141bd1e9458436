// The services inside actions, against a real database and object store, served over HTTP by the real route
// handlers, and called by GitHub's own released code, unmodified: actions/cache v4.2.4 (cache v1 REST, as on GHES)
// and v5.0.5 (v1, and v2 Twirp with the Azure SDK's blob upload) from ../shared/actions, and the npm package
// @actions/artifact (artifact v4 Twirp). Also: the runtime token, scopes, ended attempts and the quota.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as actionsRoute from "../src/app/api/actions/[...path]/route";
import * as twirpRoute from "../src/app/twirp/[...path]/route";
import { chunksOf } from "../src/server/runner-api/objects";
import { mintRuntimeToken, runtimeTokenKey } from "../src/server/actions-services/runtime-token";
import { claimedJob, closeRunnerTest, demo } from "./runner-support";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

// GitHub's released actions, read in place: GANTRY_SHARED_ACTIONS_DIR, else `../shared/actions` beside the repo.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const ACTIONS = path.join(process.env.GANTRY_SHARED_ACTIONS_DIR ?? path.resolve(repoRoot, "../shared/actions"), "actions");
const cacheAction = (version: string, which: "save" | "restore") => path.join(ACTIONS, "cache", version, "dist", which, "index.js");
const available = existsSync(cacheAction("v4.2.4", "save"));
if (!available) console.warn(`[web] actions/cache runs SKIPPED: no released actions at ${ACTIONS} (set GANTRY_SHARED_ACTIONS_DIR)`);

let t: WebTestContext;
let server: http.Server;
let base = "";
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-actions-storage-"));
const scratch = mkdtempSync(path.join(os.tmpdir(), "gantry-actions-jobs-"));
const QUOTA = 8 * 1024 * 1024;
/** What the server was asked (method and path, signed query parameters left out), to see which protocol a client chose. */
const seen: string[] = [];

/** Serves the route modules as Next does: a web Request in, a web Response out. */
async function serve(req: http.IncomingMessage, res: http.ServerResponse) {
  seen.push(`${req.method ?? "?"} ${(req.url ?? "").replace(/\?g=[^&]*&sig=[^&]*&?/, "?")}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const request = new Request(`${base}${req.url ?? "/"}`, { method, headers, ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}) } as RequestInit);
  const route = (req.url ?? "").startsWith("/twirp/") ? { POST: twirpRoute.POST } : actionsRoute;
  const handler = route[method as keyof typeof route];
  const response = handler ? await handler(request) : new Response(null, { status: 405 });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body) for await (const chunk of chunksOf(response.body)) res.write(chunk);
  res.end();
}

beforeAll(async () => {
  t = await setupWebTest();
  // Each test claims jobs it never completes: more than the demo tenant's default concurrency.
  await t.database.system("test").tenant.update({ where: { id: demo.tenantId }, data: { maxConcurrentJobs: 500 } });
  server = http.createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stubWebEnv({ ...t.env, NEXTAUTH_URL: base, GANTRY_QUEUE_PREFIX: prefix, GANTRY_STORAGE_DIR: storage, GANTRY_STORAGE_QUOTA_BYTES: String(QUOTA), GANTRY_LEASE_MS: "600000" });
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await closeRunnerTest(t, prefix);
  rmSync(storage, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** Outputs written with @actions/core's file command (`name<<delimiter` … `delimiter`). */
function readOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n") : [];
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? "");
    if (!heredoc?.[1] || !heredoc[2]) continue;
    const end = lines.indexOf(heredoc[2], i + 1);
    outputs[heredoc[1]] = lines.slice(i + 1, end).join("\n");
    i = end;
  }
  return outputs;
}

interface Job {
  token: string;
  ref: string;
}

/** Runs a bundled action's script as the runner would: its inputs, the job's env and file commands. */
async function runAction(script: string, job: Job, inputs: Record<string, string>, services: "v1" | "v2", workspace: string, extraEnv: Record<string, string> = {}) {
  const home = mkdtempSync(path.join(scratch, "step-"));
  mkdirSync(path.join(home, "temp"));
  const files = { GITHUB_OUTPUT: path.join(home, "output"), GITHUB_STATE: path.join(home, "state"), GITHUB_ENV: path.join(home, "env"), GITHUB_PATH: path.join(home, "path") };
  for (const file of Object.values(files)) writeFileSync(file, "");
  const serviceEnv =
    services === "v1"
      ? // Any host but github.com, *.ghe.com and *.localhost is GHES to the toolkit: cache v1 REST.
        { GITHUB_SERVER_URL: base, ACTIONS_CACHE_URL: `${base}/api/actions/`, ACTIONS_RUNTIME_URL: `${base}/api/actions/` }
      : { GITHUB_SERVER_URL: "http://gantry.localhost", ACTIONS_CACHE_SERVICE_V2: "true", ACTIONS_RESULTS_URL: `${base}/api/actions/`, ACTIONS_RUNTIME_URL: `${base}/api/actions/` };
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "production",
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    RUNNER_TEMP: path.join(home, "temp"),
    RUNNER_OS: "Linux",
    GITHUB_WORKSPACE: workspace,
    GITHUB_REF: job.ref,
    GITHUB_EVENT_NAME: "push",
    ACTIONS_RUNTIME_TOKEN: job.token,
    ...serviceEnv,
    ...files,
    "INPUT_FAIL-ON-CACHE-MISS": "false",
    "INPUT_LOOKUP-ONLY": "false",
    "INPUT_SAVE-ALWAYS": "false",
    INPUT_ENABLECROSSOSARCHIVE: "false",
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
    ...extraEnv,
  };
  const child = spawn(process.execPath, [script], { cwd: workspace, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, log, outputs: readOutputs(files.GITHUB_OUTPUT), state: readOutputs(files.GITHUB_STATE) };
}

/** A folder of files with random content; its listing with hashes, to compare. */
function makeFolder(root: string): void {
  mkdirSync(path.join(root, "deps", "nested"), { recursive: true });
  writeFileSync(path.join(root, "deps", "a.txt"), randomBytes(3000).toString("hex"));
  writeFileSync(path.join(root, "deps", "nested", "b.bin"), randomBytes(200_000));
}
function listing(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(root, file)] = createHash("sha256").update(readFileSync(file)).digest("hex");
  }
  return out;
}

async function job(key: string, ref = "refs/heads/main"): Promise<Job & { attemptId: string; runId: string; jobId: string }> {
  const { assignment, runId, jobId } = await claimedJob(t, key, { ref });
  if (!assignment.runtimeToken) throw new Error("the claim minted no runtime token");
  return { token: assignment.runtimeToken, ref, attemptId: assignment.attemptId, runId, jobId };
}

/** Saves a fresh folder with one job, restores it into a fresh workspace with another: both through the real action. */
async function saveThenRestore(version: string, services: "v1" | "v2") {
  const key = `deps-${version}-${services}-${randomBytes(4).toString("hex")}`;
  const saver = await job(`save-${key}`);
  const saved = mkdtempSync(path.join(scratch, "ws-"));
  makeFolder(saved);
  const save = await runAction(cacheAction(version, "save"), saver, { path: "deps", key }, services, saved);
  expect(save.code, save.log).toBe(0);
  expect(save.log).toContain(`Cache saved with key: ${key}`);
  expect(await t.database.forTenant(demo).cacheEntry.count({ where: { key, scope: "refs/heads/main" } })).toBe(1);

  const restorer = await job(`restore-${key}`);
  const fresh = mkdtempSync(path.join(scratch, "ws-"));
  const restore = await runAction(cacheAction(version, "restore"), restorer, { path: "deps", key }, services, fresh);
  expect(restore.code, restore.log).toBe(0);
  expect(restore.outputs["cache-hit"], restore.log).toBe("true");
  expect(listing(path.join(fresh, "deps"))).toEqual(listing(path.join(saved, "deps")));
  return { key, saved };
}

describe.skipIf(!available)("actions/cache, unmodified, against the services", () => {
  it("v4.2.4 saves and restores through cache v1 REST (GITHUB_SERVER_URL is GHES to it)", async () => {
    seen.length = 0;
    await saveThenRestore("v4.2.4", "v1");
    expect(seen.filter((line) => !line.startsWith("PATCH"))).toEqual([
      "POST /api/actions/_apis/artifactcache/caches",
      "POST /api/actions/_apis/artifactcache/caches/" + (/caches\/(\d+)/.exec(seen.find((line) => line.startsWith("PATCH")) ?? "")?.[1] ?? "?"),
      expect.stringMatching(/^GET \/api\/actions\/_apis\/artifactcache\/cache\?keys=/),
      "GET /api/actions/blob/gantry/object?",
    ]);
  }, 120_000);

  it("v5.0.5 saves and restores through cache v1 REST too", async () => {
    await saveThenRestore("v5.0.5", "v1");
  }, 120_000);

  it("v5.0.5 saves and restores through cache v2 Twirp and the Azure blob upload when the server is not GHES", async () => {
    seen.length = 0;
    await saveThenRestore("v5.0.5", "v2");
    expect(seen).toEqual(
      expect.arrayContaining([
        "POST /twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry",
        "PUT /api/actions/blob/gantry/object?",
        "POST /twirp/github.actions.results.api.v1.CacheService/FinalizeCacheEntryUpload",
        "POST /twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL",
        "GET /api/actions/blob/gantry/object?",
      ]),
    );
    expect(seen.some((line) => line.includes("_apis/artifactcache"))).toBe(false);
  }, 120_000);

  it("a restore key matches a saved entry by prefix, and a miss says so (cache-hit false)", async () => {
    const { key, saved } = await saveThenRestore("v4.2.4", "v1");
    const other = await job("restore-prefix");
    const fresh = mkdtempSync(path.join(scratch, "ws-"));
    const partial = await runAction(cacheAction("v4.2.4", "restore"), other, { path: "deps", key: `${key}-newer`, "restore-keys": key.slice(0, -4) }, "v1", fresh);
    expect(partial.outputs["cache-hit"], partial.log).toBe("false");
    // The main action keeps the matched key in its state for the post step.
    expect(partial.state.CACHE_RESULT).toBe(key);
    expect(partial.log).toContain(`Cache restored from key: ${key}`);
    expect(listing(path.join(fresh, "deps"))).toEqual(listing(path.join(saved, "deps")));
    const miss = await runAction(cacheAction("v4.2.4", "restore"), other, { path: "deps", key: "never-saved" }, "v1", mkdtempSync(path.join(scratch, "ws-")));
    expect(miss.code, miss.log).toBe(0);
    expect(miss.log).toContain("Cache not found for input keys: never-saved");
  }, 120_000);
});

/** setup-node with `cache: npm`: its setup step restores (a miss), its post step saves, a later job's setup restores. */
async function setupNodeRoundTrip(version: string) {
  const setup = path.join(ACTIONS, "setup-node", version, "dist", "setup", "index.js");
  const post = path.join(ACTIONS, "setup-node", version, "dist", "cache-save", "index.js");
  const lock = JSON.stringify({ name: "app", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "app", version: "1.0.0" } }, nonce: randomBytes(8).toString("hex") });
  const workspace = () => {
    const dir = mkdtempSync(path.join(scratch, "ws-"));
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "app", version: "1.0.0" }));
    writeFileSync(path.join(dir, "package-lock.json"), lock);
    return dir;
  };
  const npmCache = mkdtempSync(path.join(scratch, "npm-cache-"));
  const env = { npm_config_cache: npmCache };
  const inputs = { cache: "npm", "check-latest": "false", "package-manager-cache": "true" };

  const first = await job(`setup-node-${version}-1-${randomBytes(3).toString("hex")}`);
  const ws = workspace();
  const restore = await runAction(setup, first, inputs, "v1", ws, env);
  expect(restore.code, restore.log).toBe(0);
  expect(restore.log).toContain("npm cache is not found");
  mkdirSync(path.join(npmCache, "_cacache"), { recursive: true });
  writeFileSync(path.join(npmCache, "_cacache", "index"), randomBytes(5000));
  // npm itself writes logs into its cache folder: compare the package store only.
  const before = listing(path.join(npmCache, "_cacache"));
  // The post step reads what the setup step saved in its state.
  const state = Object.fromEntries(Object.entries(restore.state).map(([name, value]) => [`STATE_${name}`, value]));
  const save = await runAction(post, first, inputs, "v1", ws, { ...env, ...state });
  expect(save.code, save.log).toBe(0);
  expect(save.log).toContain("Cache saved with the key: node-cache-");

  rmSync(npmCache, { recursive: true, force: true });
  const second = await job(`setup-node-${version}-2-${randomBytes(3).toString("hex")}`);
  const again = await runAction(setup, second, inputs, "v1", workspace(), env);
  expect(again.outputs["cache-hit"], again.log).toBe("true");
  expect(listing(path.join(npmCache, "_cacache"))).toEqual(before);
}

describe.skipIf(!available)("setup-node's cache: npm, unmodified, through cache v1 REST", () => {
  it("v4.4.0 saves in its post step and the next job restores", async () => {
    await setupNodeRoundTrip("v4.4.0");
  }, 120_000);

  it("v7.0.0 saves in its post step and the next job restores", async () => {
    await setupNodeRoundTrip("v7.0.0");
  }, 120_000);
});

/** A Twirp-free look at the v1 REST routes, with the job's token. */
const v1 = (token: string, resource: string, init: RequestInit = {}) =>
  fetch(`${base}/api/actions/_apis/artifactcache/${resource}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) } });
const version = "a".repeat(64);

describe.skipIf(!available)("scopes", () => {
  it("a cache saved on a feature branch is not visible from another feature branch; the default branch's is", async () => {
    const id = randomBytes(4).toString("hex");
    const feature = await job(`scope-a-${id}`, "refs/heads/feature-a");
    const fromFeature = mkdtempSync(path.join(scratch, "ws-"));
    makeFolder(fromFeature);
    expect((await runAction(cacheAction("v4.2.4", "save"), feature, { path: "deps", key: `feature-${id}` }, "v1", fromFeature)).log).toContain("Cache saved");
    const main = await job(`scope-main-${id}`);
    const fromMain = mkdtempSync(path.join(scratch, "ws-"));
    makeFolder(fromMain);
    expect((await runAction(cacheAction("v4.2.4", "save"), main, { path: "deps", key: `main-${id}` }, "v1", fromMain)).log).toContain("Cache saved");

    const otherFeature = await job(`scope-b-${id}`, "refs/heads/feature-b");
    const notVisible = await runAction(cacheAction("v4.2.4", "restore"), otherFeature, { path: "deps", key: `feature-${id}` }, "v1", mkdtempSync(path.join(scratch, "ws-")));
    expect(notVisible.log).toContain(`Cache not found for input keys: feature-${id}`);
    const ws = mkdtempSync(path.join(scratch, "ws-"));
    const visible = await runAction(cacheAction("v4.2.4", "restore"), otherFeature, { path: "deps", key: `main-${id}` }, "v1", ws);
    expect(visible.outputs["cache-hit"], visible.log).toBe("true");
    expect(listing(path.join(ws, "deps"))).toEqual(listing(path.join(fromMain, "deps")));
    // The same feature branch sees its own.
    const sameFeature = await job(`scope-a2-${id}`, "refs/heads/feature-a");
    const own = await runAction(cacheAction("v4.2.4", "restore"), sameFeature, { path: "deps", key: `feature-${id}` }, "v1", mkdtempSync(path.join(scratch, "ws-")));
    expect(own.outputs["cache-hit"], own.log).toBe("true");
  }, 180_000);

  it("a second reservation of a key and version being saved is a 409, and so is one already saved", async () => {
    const a = await job("reserve-a");
    const b = await job("reserve-b");
    const key = `reserve-${randomBytes(4).toString("hex")}`;
    const first = await v1(a.token, "caches", { method: "POST", body: JSON.stringify({ key, version, cacheSize: 3 }) });
    expect(first.status).toBe(201);
    const { cacheId } = (await first.json()) as { cacheId: number };
    expect(Number.isSafeInteger(cacheId)).toBe(true);
    expect((await v1(b.token, "caches", { method: "POST", body: JSON.stringify({ key, version, cacheSize: 3 }) })).status).toBe(409);
    // Another job cannot write into the first one's reservation.
    expect((await v1(b.token, `caches/${cacheId}`, { method: "PATCH", headers: { "content-range": "bytes 0-2/*", "content-type": "application/octet-stream" }, body: "abc" })).status).toBe(404);
    expect((await v1(a.token, `caches/${cacheId}`, { method: "PATCH", headers: { "content-range": "bytes 0-2/*", "content-type": "application/octet-stream" }, body: "abc" })).status).toBe(204);
    expect((await v1(a.token, `caches/${cacheId}`, { method: "POST", body: JSON.stringify({ size: 3 }) })).status).toBe(204);
    expect((await v1(b.token, "caches", { method: "POST", body: JSON.stringify({ key, version, cacheSize: 3 }) })).status).toBe(409);
    const found = await v1(b.token, `cache?keys=${key}&version=${version}`);
    expect(found.status).toBe(200);
    const { archiveLocation } = (await found.json()) as { archiveLocation: string };
    expect(await (await fetch(archiveLocation)).text()).toBe("abc");
    // A range, as the Azure SDK asks.
    const ranged = await fetch(archiveLocation, { headers: { range: "bytes=1-2" } });
    expect([ranged.status, await ranged.text(), ranged.headers.get("content-range")]).toEqual([206, "bc", "bytes 1-2/3"]);
  });

  it("signed URLs are built from the base the runner's service proxy reports", async () => {
    const a = await job("proxy-base");
    const key = `proxy-${randomBytes(4).toString("hex")}`;
    const { cacheId } = (await (await v1(a.token, "caches", { method: "POST", body: JSON.stringify({ key, version }) })).json()) as { cacheId: number };
    await v1(a.token, `caches/${cacheId}`, { method: "PATCH", headers: { "content-range": "bytes 0-0/*" }, body: "x" });
    await v1(a.token, `caches/${cacheId}`, { method: "POST", body: JSON.stringify({ size: 1 }) });
    const found = (await (await v1(a.token, `cache?keys=${key}&version=${version}`, { headers: { "x-gantry-service-base": "http://127.0.0.9:4321/api/actions/" } })).json()) as { archiveLocation: string };
    expect(found.archiveLocation.startsWith("http://127.0.0.9:4321/api/actions/blob/")).toBe(true);
  });
});

describe("the runtime token", () => {
  it("is refused (401) when bad, expired, or naming another attempt than its job's current one", async () => {
    const a = await job("token-a");
    const b = await job("token-b");
    const lookup = (token: string) => v1(token, `cache?keys=k&version=${version}`);
    expect((await lookup(a.token)).status).toBe(204);
    expect((await lookup("not-a-jwt")).status).toBe(401);
    expect((await lookup(a.token.slice(0, -2) + (a.token.endsWith("AA") ? "BB" : "AA"))).status).toBe(401);
    const key = runtimeTokenKey(t.env.NEXTAUTH_SECRET ?? "");
    const expired = await mintRuntimeToken(key, { tenantId: demo.tenantId, runId: a.runId, jobRunId: a.jobId, attemptId: a.attemptId }, { issuedAt: Date.now() - 3 * 3600_000, timeoutMinutes: 60 });
    expect((await lookup(expired)).status).toBe(401);
    // Well signed, but its attempt is another job's.
    const crossed = await mintRuntimeToken(key, { tenantId: demo.tenantId, runId: a.runId, jobRunId: a.jobId, attemptId: b.attemptId }, { issuedAt: Date.now(), timeoutMinutes: 60 });
    expect((await lookup(crossed)).status).toBe(401);
    // Signed with another key (another control plane).
    const foreign = await mintRuntimeToken(runtimeTokenKey("another secret entirely"), { tenantId: demo.tenantId, runId: a.runId, jobRunId: a.jobId, attemptId: a.attemptId }, { issuedAt: Date.now(), timeoutMinutes: 60 });
    expect((await lookup(foreign)).status).toBe(401);
    // Artifact requests must name the token's own run and job.
    const list = (token: string, runId: string, jobId: string) =>
      fetch(`${base}/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ workflow_run_backend_id: runId, workflow_job_run_backend_id: jobId }),
      });
    expect((await list(a.token, a.runId, a.jobId)).status).toBe(200);
    expect((await list(a.token, b.runId, b.jobId)).status).toBe(401);
    // Once the job has moved on to another attempt, the earlier attempt's token is refused.
    await t.database.system("test").jobRun.update({ where: { id: a.jobId }, data: { attempt: 2 } });
    expect((await lookup(a.token)).status).toBe(401);
    // The Twirp services answer a twirp error.
    const twirp = await fetch(`${base}/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL`, { method: "POST", headers: { authorization: "Bearer nope", "content-type": "application/json" }, body: "{}" });
    expect([twirp.status, ((await twirp.json()) as { code: string }).code]).toEqual([401, "unauthenticated"]);
  });

  it("writes nothing once the attempt has ended: reserving, chunks and blob uploads are refused", async () => {
    const a = await job("ended");
    const key = `ended-${randomBytes(4).toString("hex")}`;
    const { cacheId } = (await (await v1(a.token, "caches", { method: "POST", body: JSON.stringify({ key, version }) })).json()) as { cacheId: number };
    const create = await fetch(`${base}/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry`, {
      method: "POST",
      headers: { authorization: `Bearer ${a.token}`, "content-type": "application/json" },
      body: JSON.stringify({ key: `${key}-v2`, version }),
    });
    const { signed_upload_url: uploadUrl } = (await create.json()) as { signed_upload_url: string };
    await t.database.system("test").jobAttempt.update({ where: { id: a.attemptId }, data: { status: "SUCCEEDED", finishedAt: new Date() } });

    expect((await v1(a.token, "caches", { method: "POST", body: JSON.stringify({ key: `${key}-2`, version }) })).status).toBe(409);
    expect((await v1(a.token, `caches/${cacheId}`, { method: "PATCH", headers: { "content-range": "bytes 0-0/*" }, body: "x" })).status).toBe(409);
    const blob = await fetch(uploadUrl, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, body: "late" });
    expect(blob.status).toBe(409);
    // Reading is still allowed while the token lasts.
    expect((await v1(a.token, `cache?keys=${key}&version=${version}`)).status).toBe(204);
    expect(await t.database.forTenant(demo).cacheEntry.count({ where: { key: { startsWith: key } } })).toBe(0);
  });
});

describe("the quota", () => {
  it("refuses a reservation, a chunk and a blob that would exceed the tenant's quota, storing nothing", async () => {
    const a = await job("quota");
    const key = `quota-${randomBytes(4).toString("hex")}`;
    const tooBig = await v1(a.token, "caches", { method: "POST", body: JSON.stringify({ key, version, cacheSize: QUOTA + 1 }) });
    expect([tooBig.status, ((await tooBig.json()) as { code: string }).code]).toEqual([400, "over_quota"]);
    const { cacheId } = (await (await v1(a.token, "caches", { method: "POST", body: JSON.stringify({ key, version }) })).json()) as { cacheId: number };
    const chunk = await v1(a.token, `caches/${cacheId}`, { method: "PATCH", headers: { "content-range": `bytes 0-${QUOTA}/*` }, body: Buffer.alloc(QUOTA + 1) });
    expect(chunk.status).toBe(413);
    const create = await fetch(`${base}/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry`, {
      method: "POST",
      headers: { authorization: `Bearer ${a.token}`, "content-type": "application/json" },
      body: JSON.stringify({ key: `${key}-v2`, version }),
    });
    const { signed_upload_url: uploadUrl } = (await create.json()) as { signed_upload_url: string };
    const blob = await fetch(uploadUrl, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, body: Buffer.alloc(QUOTA + 1) });
    expect(blob.status).toBe(413);
    expect(await t.database.forTenant(demo).cacheEntry.count({ where: { key: { startsWith: key } } })).toBe(0);
  });
});

describe("artifacts v4 with @actions/artifact", () => {
  it("uploads a file, lists and downloads it with the same run's token; another run cannot see it", async () => {
    const uploader = await job("artifact-up");
    const workspace = mkdtempSync(path.join(scratch, "ws-"));
    const content = randomBytes(300_000);
    writeFileSync(path.join(workspace, "report.bin"), content);
    const env = { GITHUB_SERVER_URL: "http://gantry.localhost", ACTIONS_RESULTS_URL: `${base}/api/actions/`, ACTIONS_RUNTIME_URL: `${base}/api/actions/`, GITHUB_WORKSPACE: workspace };
    const previous = Object.fromEntries([...Object.keys(env), "ACTIONS_RUNTIME_TOKEN"].map((name) => [name, process.env[name]]));
    Object.assign(process.env, env, { ACTIONS_RUNTIME_TOKEN: uploader.token });
    try {
      const { DefaultArtifactClient } = await import("@actions/artifact");
      const client = new DefaultArtifactClient();
      seen.length = 0;
      const uploaded = await client.uploadArtifact("report", [path.join(workspace, "report.bin")], workspace, { retentionDays: 2 });
      // uploadStream: blocks, then the block list.
      expect(seen.some((line) => line.startsWith("PUT /api/actions/blob/gantry/object?") && line.includes("comp=block&blockid="))).toBe(true);
      expect(seen).toContain("PUT /api/actions/blob/gantry/object?comp=blocklist");
      expect(uploaded.id).toBeGreaterThan(0);
      const row = await t.database.forTenant(demo).artifact.findUnique({ where: { runId_name: { runId: uploader.runId, name: "report" } } });
      expect(Number(row?.sizeBytes)).toBe(uploaded.size);
      expect(((row?.expiresAt.getTime() ?? 0) - Date.now()) / 86_400_000).toBeCloseTo(2, 1);

      const listed = await client.listArtifacts();
      expect(listed.artifacts.map((artifact) => [artifact.name, artifact.id, artifact.size])).toEqual([["report", uploaded.id, uploaded.size]]);
      const into = mkdtempSync(path.join(scratch, "download-"));
      const got = await client.downloadArtifact(uploaded.id ?? 0, { path: into });
      expect(got.downloadPath).toBe(into);
      expect(readFileSync(path.join(into, "report.bin"))).toEqual(content);

      // Another run's job lists nothing and cannot fetch it by name.
      const stranger = await job("artifact-stranger");
      process.env.ACTIONS_RUNTIME_TOKEN = stranger.token;
      expect((await client.listArtifacts()).artifacts).toEqual([]);
      await expect(client.getArtifact("report")).rejects.toThrow(/not found|No artifact/i);
    } finally {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }, 60_000);
});
