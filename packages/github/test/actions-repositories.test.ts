// The fake GitHub's action repositories speak GitHub's wire format for what the actions resolver calls: the commit
// by ref (bare sha or JSON), the tarball redirect and its bytes, the rate-limit headers and the spent-limit 403.
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InstallationTokens } from "../src/index";
import { FakeGithub } from "../src/testing/index";

/** GitHub's published actions: env GANTRY_SHARED_ACTIONS_DIR when set, else `../shared/actions` beside the repo. */
const root = process.env.GANTRY_SHARED_ACTIONS_DIR || path.resolve(import.meta.dirname, "../../../../shared/actions");
const CHECKOUT = "11bd71901bbe5b1630ceea73d27597364c9af683";
const github = new FakeGithub();
const headers = { "user-agent": "test", accept: "application/vnd.github+json" };

beforeAll(async () => {
  await github.start();
  github.addInstallation(7);
  github.serveActions(root, { anonymousLimit: 3 });
});
afterAll(() => github.stop());

describe("FakeGithub.serveActions", () => {
  it("answers a ref's commit as a bare sha or JSON, 422 for a ref that names none, with the rate-limit headers", async () => {
    expect(readFileSync(path.join(root, "INDEX.tsv"), "utf8")).toContain(`actions/checkout\tv4.2.2\t${CHECKOUT}`);
    const bare = await fetch(`${github.url}/repos/actions/checkout/commits/v4.2.2`, { headers: { ...headers, accept: "application/vnd.github.sha" } });
    expect([bare.status, await bare.text(), bare.headers.get("x-ratelimit-limit"), bare.headers.get("x-ratelimit-remaining")]).toEqual([200, CHECKOUT, "3", "2"]);
    const body = await fetch(`${github.url}/repos/actions/checkout/commits/v4.2.2`, { headers });
    expect(((await body.json()) as { sha: string }).sha).toBe(CHECKOUT);
    const missing = await fetch(`${github.url}/repos/actions/checkout/commits/v0.0.1`, { headers });
    expect([missing.status, ((await missing.json()) as { message: string }).message]).toEqual([422, "No commit found for SHA: v0.0.1"]);
    // The fourth anonymous call within the hour is refused as GitHub refuses it, with the reset.
    const refused = await fetch(`${github.url}/repos/actions/checkout/commits/v4.2.2`, { headers });
    expect([refused.status, refused.headers.get("x-ratelimit-remaining"), refused.headers.get("x-ratelimit-reset")]).toEqual([403, "0", String(Math.floor((github.actions?.resetAt("anonymous").getTime() ?? 0) / 1000))]);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^API rate limit exceeded for /);
  });

  it("redirects a tarball to codeload, which serves GitHub's layout, counted; an installation's token has its own limit", async () => {
    const tokens = new InstallationTokens({ appId: github.appId, privateKey: createPrivateKey(github.privateKeyPem), apiUrl: github.url });
    const { token } = await tokens.get(7);
    const redirect = await fetch(`${github.url}/repos/actions/checkout/tarball/v4.2.2`, { headers: { ...headers, authorization: `token ${token}` }, redirect: "manual" });
    expect([redirect.status, redirect.headers.get("location"), redirect.headers.get("x-ratelimit-limit")]).toEqual([302, `${github.url}/_codeload/actions/checkout/legacy.tar.gz/${CHECKOUT}`, "5000"]);
    const before = github.actions?.downloadCount("actions/checkout", CHECKOUT) ?? 0;
    const tarball = Buffer.from(await (await fetch(redirect.headers.get("location") ?? "")).arrayBuffer());
    expect(gunzipSync(tarball).subarray(0, 100).toString()).toContain("actions-checkout-11bd719/");
    expect(github.actions?.downloadCount("actions/checkout", CHECKOUT)).toBe(before + 1);
    const badToken = await fetch(`${github.url}/repos/actions/checkout/commits/v4.2.2`, { headers: { ...headers, authorization: "token ghs_unknown" } });
    expect(badToken.status).toBe(401);
  });
});
