// POST /api/runner/v1/ping through the exported route function, against a real database.
import { DEMO } from "@gantry/db";
import { errorResponse, pingResponse, PROTOCOL_VERSION } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "../src/app/api/runner/v1/ping/route";
import { closeServices } from "../src/server/services";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;

const ping = (body: unknown, token: string | null) =>
  POST(
    new Request("http://127.0.0.1/api/runner/v1/ping", {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );

const goodBody = (name: string, version = "0.1.0") => ({
  protocolVersion: PROTOCOL_VERSION,
  name,
  version,
  providers: ["bwrap", "process"],
  capacity: 2,
});

const runnersNamed = (name: string) => t.database.system("test").runner.findMany({ where: { name } });

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv(t.env);
});
afterAll(async () => {
  await closeServices();
  await t?.close();
});

describe("POST /api/runner/v1/ping", () => {
  it("registers a new runner: ONLINE, version, capacity, lastSeenAt now", async () => {
    const before = Date.now();
    const response = await ping(goodBody("host-a"), t.registrationToken);
    expect(response.status).toBe(200);
    const body = pingResponse.parse(await response.json());
    expect(body.pool).toBe(DEMO.poolName);
    expect(body.nextPingMs).toBe(5000);
    const [runner] = await runnersNamed("host-a");
    expect(runner).toMatchObject({
      id: body.runnerId,
      poolId: DEMO.poolId,
      status: "ONLINE",
      version: "0.1.0",
      capacity: 2,
    });
    expect(runner?.lastSeenAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it("updates the same row on the next ping (pool + name is the runner)", async () => {
    const first = pingResponse.parse(
      await (await ping(goodBody("host-b", "0.1.0"), t.registrationToken)).json(),
    );
    await t.database
      .system("test")
      .runner.update({ where: { id: first.runnerId }, data: { status: "OFFLINE", lastSeenAt: new Date(0) } });
    const second = pingResponse.parse(
      await (await ping(goodBody("host-b", "0.2.0"), t.registrationToken)).json(),
    );
    expect(second.runnerId).toBe(first.runnerId);
    const rows = await runnersNamed("host-b");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ONLINE", version: "0.2.0" });
    expect(rows[0]?.lastSeenAt.getTime()).toBeGreaterThan(0);
  });

  it("answers 401 with an errorResponse for a missing or wrong token, writing nothing", async () => {
    for (const token of [null, "grt_not-the-token", `${t.registrationToken}x`]) {
      const response = await ping(goodBody("intruder"), token);
      expect(response.status).toBe(401);
      expect(errorResponse.parse(await response.json()).code).toBe("unauthorized");
    }
    const basic = await POST(
      new Request("http://127.0.0.1/api/runner/v1/ping", {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`x:${t.registrationToken}`).toString("base64")}` },
        body: JSON.stringify(goodBody("intruder")),
      }),
    );
    expect(basic.status).toBe(401);
    expect(await runnersNamed("intruder")).toEqual([]);
  });

  it("answers 400 with the zod issues for a bad body, writing nothing", async () => {
    const response = await ping({ ...goodBody("bad name!"), capacity: 0 }, t.registrationToken);
    expect(response.status).toBe(400);
    const body: unknown = await response.json();
    expect(errorResponse.parse(body).code).toBe("invalid_body");
    expect(body).toMatchObject({
      issues: expect.arrayContaining([
        expect.objectContaining({ path: ["name"] }),
        expect.objectContaining({ path: ["capacity"] }),
      ]),
    });
    expect(await runnersNamed("bad name!")).toEqual([]);

    const notJson = await ping("{nope", t.registrationToken);
    expect(notJson.status).toBe(400);
    expect(errorResponse.parse(await notJson.json()).code).toBe("invalid_json");
  });

  it("refuses an oversized body with 413", async () => {
    const response = await ping({ ...goodBody("big"), padding: "x".repeat(20_000) }, t.registrationToken);
    expect(response.status).toBe(413);
    expect(await runnersNamed("big")).toEqual([]);
  });
});

describe("concurrent pings", () => {
  it("ten first pings of one runner at once make one row and all succeed", async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => ping(goodBody("racer"), t.registrationToken)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    const ids = new Set(
      await Promise.all(
        responses.map(async (response) => pingResponse.parse(await response.json()).runnerId),
      ),
    );
    expect(ids.size).toBe(1);
    expect(await runnersNamed("racer")).toHaveLength(1);
  });
});
