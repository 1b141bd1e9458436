// The production server's fast path for GitHub webhooks (src/server/http/fast-paths.ts), over real HTTP on
// loopback: the same handler as the Next route, fed from node:http — a signed delivery is stored, a bad signature
// writes nothing, an oversize chunked body is refused, other requests fall through.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { signWebhook } from "@gantry/github";
import { publishedExamples } from "@gantry/github/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveFastPath } from "../src/server/http/fast-paths";
import { MAX_WEBHOOK_BYTES } from "../src/server/github/webhook";
import { closeServices } from "../src/server/services";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
let server: http.Server;
let baseUrl = "";
const secret = randomBytes(24).toString("hex");
const fellThrough: string[] = [];

beforeAll(async () => {
  t = await setupWebTest();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  stubWebEnv({
    ...t.env,
    GANTRY_GITHUB_APP_ID: "4242",
    GANTRY_GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    GANTRY_GITHUB_WEBHOOK_SECRET: secret,
  });
  server = http.createServer((req, res) => {
    if (serveFastPath(req, res, () => undefined)) return;
    fellThrough.push(`${req.method ?? "?"} ${req.url ?? "?"}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await closeServices();
  await t?.close();
});

const push = JSON.stringify(publishedExamples("push")[0]);
const deliveries = () => t.database.system("test").webhookDelivery.count();
const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": signWebhook(secret, body), ...headers },
    body,
  });

describe("the webhook fast path", () => {
  it("stores a signed delivery and answers 202, and a redelivery is a duplicate", async () => {
    const before = await deliveries();
    const delivery = randomUUID();
    const first = await post(push, { "x-github-delivery": delivery });
    expect(first.status).toBe(202);
    expect(first.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await first.json()).toMatchObject({ duplicate: false });
    expect(await (await post(push, { "x-github-delivery": delivery })).json()).toMatchObject({ duplicate: true });
    expect(await deliveries()).toBe(before + 1);
  });

  it("refuses a bad signature with 401 and writes nothing", async () => {
    const before = await deliveries();
    const response = await post(push, { "x-hub-signature-256": signWebhook("not the secret", push) });
    expect(response.status).toBe(401);
    expect(await deliveries()).toBe(before);
  });

  it("refuses a body past GitHub's 25 MB cap sent without content-length (chunked) with a clear 413", async () => {
    const before = await deliveries();
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${baseUrl}/api/github/webhooks`, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      request.on("error", reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent <= MAX_WEBHOOK_BYTES) {
          sent += chunk.length;
          if (!request.write(chunk)) return void request.once("drain", pump);
        }
        request.end();
      };
      pump();
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ code: "too_large" });
    expect(await deliveries()).toBe(before);
  });

  it("leaves every other request to Next", async () => {
    expect((await fetch(`${baseUrl}/api/github/webhooks`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/health`)).status).toBe(404);
    expect(fellThrough).toEqual(["GET /api/github/webhooks", "GET /api/health"]);
  });
});
