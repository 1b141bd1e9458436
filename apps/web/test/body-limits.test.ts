// Issue #13 item 5: every unauthenticated or token-authenticated body is bounded while it is read. Each route gets
// a chunked body (no Content-Length) streamed from a generator, far past its limit; the answer is a 413 with a
// JSON error, the route stopped pulling soon after the limit (counted at the stream), and nothing was written.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO, seedDemo } from "@gantry/db";
import { LOG_REQUEST_MAX_BYTES } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as gitPush } from "../src/app/api/git/sources/[sourceId]/push/route";
import { POST as githubWebhook } from "../src/app/api/github/webhooks/route";
import { POST as artifacts } from "../src/app/api/runner/v1/artifacts/route";
import { POST as caches } from "../src/app/api/runner/v1/caches/route";
import { POST as claim } from "../src/app/api/runner/v1/claim/route";
import { POST as complete } from "../src/app/api/runner/v1/complete/route";
import { POST as heartbeat } from "../src/app/api/runner/v1/heartbeat/route";
import { POST as logs } from "../src/app/api/runner/v1/logs/route";
import { PUT as objectPut } from "../src/app/api/runner/v1/objects/route";
import { POST as ping } from "../src/app/api/runner/v1/ping/route";
import { POST as register } from "../src/app/api/runner/v1/register/route";
import { POST as step } from "../src/app/api/runner/v1/step/route";
import { withBodyLimit } from "../src/server/http/body-limit";
import { objectDeps } from "../src/server/runner-api/objects";
import { MAX_BODY_BYTES } from "../src/server/runner-api/respond";
import { signObjectUrl } from "../src/server/storage/signed-url";
import { MAX_PUSH_BYTES } from "../src/server/git-push";
import { MAX_WEBHOOK_BYTES } from "../src/server/github/webhook";
import { MAX_PING_BYTES } from "../src/server/runner-ping";
import { closeRunnerTest } from "./runner-support";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-limits-"));
const masterKey = randomBytes(32);
const CHUNK = 64 * 1024;

beforeAll(async () => {
  t = await setupWebTest();
  await seedDemo(t.database, { repositoryUrl: "/tmp/gantry-web-test/demo.git", runnerRegistrationToken: t.registrationToken, gitNotify: { masterKey, secret: randomBytes(32).toString("base64url") } });
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  stubWebEnv({
    ...t.env,
    GANTRY_QUEUE_PREFIX: prefix,
    GANTRY_STORAGE_DIR: storage,
    GANTRY_MASTER_KEY: masterKey.toString("base64"),
    GANTRY_GITHUB_APP_ID: "4242",
    GANTRY_GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    GANTRY_GITHUB_WEBHOOK_SECRET: randomBytes(24).toString("hex"),
  });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
  rmSync(storage, { recursive: true, force: true });
});

/** A chunked body of `total` bytes of `{"x":"aaaa…` made on demand; `pulled()` says how much the server read. */
function endlessBody(total: number) {
  let pulled = 0;
  const chunk = new Uint8Array(CHUNK).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      const next = pulled === 0 ? new TextEncoder().encode(`{"x":"${"a".repeat(CHUNK - 6)}`) : chunk;
      pulled += next.byteLength;
      controller.enqueue(next);
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled };
}

function chunkedRequest(url: string, stream: ReadableStream<Uint8Array>, headers: Record<string, string> = {}, method = "POST"): Request {
  return new Request(url, { method, headers: { "content-type": "application/json", ...headers }, body: stream, duplex: "half" } as RequestInit & { duplex: "half" });
}

async function state() {
  const sys = t.database.system("test");
  return { deliveries: await sys.webhookDelivery.count(), runners: await sys.runner.count(), logChunks: await sys.logChunk.count(), artifacts: await sys.artifact.count(), caches: await sys.cacheEntry.count(), auditEvents: await sys.auditEvent.count() };
}

/** Sends `limit` × 8 bytes (at least 4 MB), expects 413 too_large, at most the limit plus two chunks read, no writes. */
async function expectRefusedEarly(limit: number, send: (stream: ReadableStream<Uint8Array>) => Promise<Response>) {
  const before = await state();
  const body = endlessBody(Math.max(limit * 8, 4 * 1024 * 1024));
  const response = await send(body.stream);
  expect(response.status).toBe(413);
  expect(await response.json()).toMatchObject({ code: "too_large", error: expect.stringContaining(String(limit)) });
  expect(body.pulled()).toBeLessThanOrEqual(limit + 2 * CHUNK);
  expect(await state()).toEqual(before);
}

const runnerUrl = (route: string) => `http://127.0.0.1/api/runner/v1/${route}`;

describe("bodies past their limit are refused while reading (413, nothing written)", () => {
  it("git push notifications", async () => {
    await expectRefusedEarly(MAX_PUSH_BYTES, (stream) =>
      gitPush(chunkedRequest(`http://127.0.0.1/api/git/sources/${DEMO.gitSourceId}/push`, stream, { "x-gantry-signature-256": `sha256=${"0".repeat(64)}`, "x-gantry-delivery": "delivery-0001" }), { params: Promise.resolve({ sourceId: DEMO.gitSourceId }) }),
    );
  });

  it("GitHub webhook deliveries (the Next route)", async () => {
    await expectRefusedEarly(MAX_WEBHOOK_BYTES, (stream) => githubWebhook(chunkedRequest("http://127.0.0.1/api/github/webhooks", stream, { "x-github-event": "push", "x-github-delivery": "delivery-0002", "x-hub-signature-256": `sha256=${"0".repeat(64)}` })));
  });

  it("runner ping, before the registration token is looked up", async () => {
    await expectRefusedEarly(MAX_PING_BYTES, (stream) => ping(chunkedRequest(runnerUrl("ping"), stream, { authorization: `Bearer ${t.registrationToken}` })));
  });

  it.each([
    ["register", register],
    ["claim", claim],
    ["heartbeat", heartbeat],
    ["step", step],
    ["complete", complete],
    ["artifacts", artifacts],
    ["caches", caches],
  ])("runner %s", async (name, route) => {
    await expectRefusedEarly(MAX_BODY_BYTES, (stream) => route(chunkedRequest(runnerUrl(name), stream, { authorization: `Bearer ${t.registrationToken}` })));
  });

  it("runner logs (large batches have their own, larger limit)", async () => {
    await expectRefusedEarly(LOG_REQUEST_MAX_BYTES, (stream) => logs(chunkedRequest(runnerUrl("logs"), stream, { authorization: "Bearer gjt_nothing" })));
  });

  it("object uploads stop at the granted size", async () => {
    const granted = 1000;
    const url = signObjectUrl(objectDeps().secret, { op: "put", tenantId: DEMO.tenantId, sha256: "c".repeat(64), sizeBytes: granted, exp: Date.now() + 60_000, record: { kind: "artifact", runId: "run_none", name: "big", expiresAt: Date.now() + 60_000 } });
    await expectRefusedEarly(granted, (stream) => objectPut(chunkedRequest(new URL(url, "http://127.0.0.1").toString(), stream, {}, "PUT")));
  });

  it("routes handed to tRPC and next-auth go through the same bound", async () => {
    let reached = 0;
    const guarded = withBodyLimit(16 * 1024, async (request) => {
      reached++;
      return new Response(String((await request.arrayBuffer()).byteLength));
    });
    await expectRefusedEarly(16 * 1024, (stream) => guarded(chunkedRequest("http://127.0.0.1/api/trpc/x", stream)));
    expect(reached).toBe(0);
    const small = await guarded(new Request("http://127.0.0.1/api/trpc/x", { method: "POST", body: "{}" }));
    expect(await small.text()).toBe("2");
  });

  it("malformed bodies within the limit change nothing either", async () => {
    const before = await state();
    const garbage = (url: string, headers: Record<string, string>) => new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: '{"name": "half' });
    expect((await register(garbage(runnerUrl("register"), { authorization: `Bearer ${t.registrationToken}` }))).status).toBe(400);
    expect((await ping(garbage(runnerUrl("ping"), { authorization: `Bearer ${t.registrationToken}` }))).status).toBe(400);
    expect((await logs(garbage(runnerUrl("logs"), { authorization: "Bearer gjt_nothing" }))).status).toBe(400);
    expect((await githubWebhook(garbage("http://127.0.0.1/api/github/webhooks", { "x-github-event": "push", "x-github-delivery": "delivery-0003" }))).status).toBe(401);
    const push = await gitPush(garbage(`http://127.0.0.1/api/git/sources/${DEMO.gitSourceId}/push`, { "x-gantry-delivery": "delivery-0004", "x-gantry-signature-256": `sha256=${"0".repeat(64)}` }), { params: Promise.resolve({ sourceId: DEMO.gitSourceId }) });
    expect(push.status).toBe(401);
    expect(await state()).toEqual(before);
  });

  it("a declared Content-Length past the limit is refused without reading", async () => {
    const body = endlessBody(4 * 1024 * 1024);
    const response = await register(chunkedRequest(runnerUrl("register"), body.stream, { authorization: `Bearer ${t.registrationToken}`, "content-length": String(4 * 1024 * 1024) }));
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(CHUNK);
  });
});
