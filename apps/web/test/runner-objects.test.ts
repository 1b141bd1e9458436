// The artifacts, caches and objects routes through their exported route functions, against a real database and a
// real object store directory: grants, signatures, expiry, hash and size checks, quota, idempotency, run and
// tenant isolation, and the cache scopes (a pull request reads the default branch's entries and writes its own).
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { hashToken, intake, newToken, randomId, transitions } from "@gantry/db";
import { PROTOCOL_VERSION, artifactResponse, cacheResponse, claimResponse, registerResponse, type ObjectGrant } from "@gantry/runner-protocol";
import { enqueueReady } from "@gantry/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as artifactsRoute } from "../src/app/api/runner/v1/artifacts/route";
import { POST as cachesRoute } from "../src/app/api/runner/v1/caches/route";
import { POST as claimRoute } from "../src/app/api/runner/v1/claim/route";
import { POST as registerRoute } from "../src/app/api/runner/v1/register/route";
import { GET as objectGet, PUT as objectPut } from "../src/app/api/runner/v1/objects/route";
import { handleArtifacts } from "../src/server/runner-api/artifacts";
import { handleObject, objectDeps } from "../src/server/runner-api/objects";
import { contentObjectKey } from "@gantry/storage";
import { signObjectUrl } from "../src/server/storage/signed-url";
import { getServices } from "../src/server/services";
import { claimedJob, closeRunnerTest, demo, post } from "./runner-support";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

let t: WebTestContext;
const prefix = `gantry-test-${Math.random().toString(16).slice(2, 10)}`;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-storage-"));

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix, GANTRY_STORAGE_DIR: storage, GANTRY_STORAGE_QUOTA_BYTES: "100000" });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
  rmSync(storage, { recursive: true, force: true });
});

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const at = (grant: ObjectGrant) => new URL(grant.url, "http://127.0.0.1");
const put = (grant: ObjectGrant, bytes: Buffer) => objectPut(new Request(at(grant), { method: "PUT", body: new Uint8Array(bytes) }));
const get = (grant: ObjectGrant) => objectGet(new Request(at(grant)));
const json = async (response: Response) => [response.status, await response.json()] as const;
const jsonRequest = (token: string, body: unknown) =>
  new Request("http://127.0.0.1/api/runner/v1/artifacts", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
const objectCount = () => (existsSync(path.join(storage, "cas")) ? readdirSync(path.join(storage, "cas"), { recursive: true }).filter((f) => String(f).endsWith(".tar.gz")).length : 0);

describe("artifacts", () => {
  it("grants an upload, verifies and stores the bytes content-addressed once, and a later job of the run downloads them", async () => {
    const { assignment, runId } = await claimedJob(t, "upload");
    const bytes = Buffer.from("pretend this is a tar.gz");
    const ask = { op: "upload", attemptId: assignment.attemptId, name: "dist", sha256: sha(bytes), sizeBytes: bytes.length, retentionDays: 3 };
    const grant = artifactResponse.parse(await (await post(artifactsRoute, assignment.jobToken, ask)).json()).grant;
    expect(grant?.url).toMatch(/^\/api\/runner\/v1\/objects\?g=[\w-]+&sig=[\w-]+$/);
    if (!grant) throw new Error("no grant");
    expect(await json(await put(grant, bytes))).toEqual([200, { stored: true, sha256: sha(bytes), sizeBytes: bytes.length }]);
    // The same PUT again (a retry whose answer was lost) records nothing new.
    expect(await json(await put(grant, bytes))).toEqual([200, { stored: false, sha256: sha(bytes), sizeBytes: bytes.length }]);
    // Asking again for the same bytes needs no upload; other bytes under the name are a conflict.
    expect(await json(await post(artifactsRoute, assignment.jobToken, ask))).toEqual([200, { grant: null, sha256: sha(bytes), sizeBytes: bytes.length }]);
    const other = await post(artifactsRoute, assignment.jobToken, { ...ask, sha256: sha(Buffer.from("x")), sizeBytes: 1 });
    expect([other.status, (await other.json()).code]).toEqual([409, "artifact_conflict"]);

    const rows = await t.database.forTenant(demo).artifact.findMany({ where: { runId } });
    expect(rows.map((row) => [row.name, row.sha256, Number(row.sizeBytes), row.objectKey])).toEqual([["dist", sha(bytes), bytes.length, contentObjectKey(demo.tenantId, sha(bytes))]]);
    const days = ((rows[0]?.expiresAt.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(2.99);
    expect(days).toBeLessThan(3.01);

    const download = artifactResponse.parse(await (await post(artifactsRoute, assignment.jobToken, { op: "download", attemptId: assignment.attemptId, name: "dist" })).json());
    if (!download.grant) throw new Error("no download grant");
    const got = await get(download.grant);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);
    // A download URL does not upload, and an upload URL does not download.
    expect((await json(await put(download.grant, bytes)))[1].code).toBe("wrong_method");
    expect((await json(await get(grant)))[1].code).toBe("wrong_method");
  });

  it("refuses a wrong signature or an expired URL with 403, and wrong bytes with 400/413, writing nothing", async () => {
    const { assignment, runId } = await claimedJob(t, "refusals");
    const bytes = Buffer.from("refused bytes");
    const ask = { op: "upload", attemptId: assignment.attemptId, name: "refused", sha256: sha(bytes), sizeBytes: bytes.length };
    const grant = artifactResponse.parse(await (await post(artifactsRoute, assignment.jobToken, ask)).json()).grant;
    if (!grant) throw new Error("no grant");
    const before = objectCount();
    const url = at(grant);
    const tampered = new URL(url);
    tampered.searchParams.set("sig", `${url.searchParams.get("sig")?.slice(0, -2) ?? ""}AA`);
    expect((await json(await objectPut(new Request(tampered, { method: "PUT", body: new Uint8Array(bytes) }))))).toEqual([403, expect.objectContaining({ code: "bad_signature" })]);
    // A payload signed with another secret (here: for another tenant) is as good as unsigned.
    const forged = signObjectUrl("not-the-secret-not-the-secret-not-the-secret", { op: "put", tenantId: "other", sha256: sha(bytes), sizeBytes: bytes.length, exp: Date.now() + 60_000, record: { kind: "artifact", runId, name: "forged", expiresAt: Date.now() + 60_000 } });
    expect((await json(await objectPut(new Request(new URL(forged, "http://127.0.0.1"), { method: "PUT", body: new Uint8Array(bytes) }))))[1].code).toBe("bad_signature");
    const later = { ...objectDeps(), now: () => grant.expiresAt + 1 };
    expect(await json(await handleObject(new Request(url, { method: "PUT", body: new Uint8Array(bytes) }), later))).toEqual([403, expect.objectContaining({ code: "url_expired" })]);
    expect(await json(await put(grant, Buffer.from("refused byteZ")))).toEqual([400, expect.objectContaining({ code: "hash_mismatch" })]);
    expect(await json(await put(grant, Buffer.from("refused bytes, and more")))).toEqual([413, expect.objectContaining({ code: "too_large" })]);
    expect(await json(await put(grant, Buffer.from("short")))).toEqual([400, expect.objectContaining({ code: "size_mismatch" })]);
    expect(objectCount()).toBe(before);
    expect(readdirSync(storage, { recursive: true }).filter((f) => String(f).endsWith(".tmp"))).toEqual([]);
    expect(await t.database.forTenant(demo).artifact.count({ where: { runId } })).toBe(0);
  });

  it("answers 413 over the tenant's quota, at the grant and at the upload", async () => {
    const { assignment, runId } = await claimedJob(t, "quota");
    const big = { op: "upload", attemptId: assignment.attemptId, name: "big", sha256: "a".repeat(64), sizeBytes: 200_000 };
    expect(await json(await post(artifactsRoute, assignment.jobToken, big))).toEqual([413, expect.objectContaining({ code: "over_quota", quotaBytes: 100_000 })]);
    const bytes = Buffer.from("fits now, but not later");
    const grant = artifactResponse.parse(await (await post(artifactsRoute, assignment.jobToken, { ...big, name: "small", sha256: sha(bytes), sizeBytes: bytes.length })).json()).grant;
    if (!grant) throw new Error("no grant");
    const tight = { ...objectDeps(), quotaBytes: 10 };
    expect((await json(await handleObject(new Request(at(grant), { method: "PUT", body: new Uint8Array(bytes) }), tight)))[0]).toBe(413);
    expect(await t.database.forTenant(demo).artifact.count({ where: { runId } })).toBe(0);
    const tightGrant = await handleArtifacts(jsonRequest(assignment.jobToken, { ...big, name: "small", sha256: sha(bytes), sizeBytes: bytes.length }), tight);
    expect(tightGrant.status).toBe(413);
  });

  it("downloads only within the same run, and only with the attempt's own token", async () => {
    const first = await claimedJob(t, "producer");
    const bytes = Buffer.from("run one's artifact");
    const grant = artifactResponse.parse(await (await post(artifactsRoute, first.assignment.jobToken, { op: "upload", attemptId: first.assignment.attemptId, name: "mine", sha256: sha(bytes), sizeBytes: bytes.length })).json()).grant;
    if (!grant) throw new Error("no grant");
    expect((await put(grant, bytes)).status).toBe(200);
    const second = await claimedJob(t, "consumer");
    const refused = await post(artifactsRoute, second.assignment.jobToken, { op: "download", attemptId: second.assignment.attemptId, name: "mine" });
    expect([refused.status, (await refused.json()).code]).toEqual([404, "artifact_not_found"]);
    const stolen = await post(artifactsRoute, second.assignment.jobToken, { op: "download", attemptId: first.assignment.attemptId, name: "mine" });
    expect(stolen.status).toBe(401);
    const invalid = await post(artifactsRoute, first.assignment.jobToken, { op: "download", attemptId: first.assignment.attemptId, name: "../etc" });
    expect(invalid.status).toBe(400);
  });
});

describe("caches", () => {
  const version = "c".repeat(64);
  async function save(assignment: { jobToken: string; attemptId: string }, key: string, content: string) {
    const bytes = Buffer.from(content);
    const answer = await post(cachesRoute, assignment.jobToken, { op: "save", attemptId: assignment.attemptId, key, version, sha256: sha(bytes), sizeBytes: bytes.length });
    if (answer.status !== 200) return answer.status;
    const { grant } = cacheResponse.parse(await answer.json());
    return grant ? (await put(grant, bytes)).status : "exists";
  }
  const restore = async (assignment: { jobToken: string; attemptId: string }, key: string, restoreKeys: string[] = []) =>
    cacheResponse.parse(await (await post(cachesRoute, assignment.jobToken, { op: "restore", attemptId: assignment.attemptId, key, restoreKeys, version })).json());

  it("restores the exact key, else the newest restore-key match; a pull request reads the default branch and writes only its own scope", async () => {
    const main = (await claimedJob(t, "cache-main")).assignment;
    expect((await restore(main, "deps-1")).entry).toBeNull();
    expect(await save(main, "deps-1", "one")).toBe(200);
    expect(await save(main, "deps-1", "one again")).toBe("exists");
    expect(await save(main, "deps-2", "two")).toBe(200);
    const exact = await restore(main, "deps-1", ["deps-"]);
    expect(exact.entry).toMatchObject({ key: "deps-1", scope: "refs/heads/main", sha256: sha(Buffer.from("one")) });
    if (!exact.grant) throw new Error("no grant");
    expect(Buffer.from(await (await get(exact.grant)).arrayBuffer()).toString()).toBe("one");
    expect((await restore(main, "deps-9", ["nope-", "deps-"])).entry?.key).toBe("deps-2");
    expect((await restore(main, "deps-1")).entry?.key).toBe("deps-1");
    // Another path set (version) never restores.
    const otherVersion = await post(cachesRoute, main.jobToken, { op: "restore", attemptId: main.attemptId, key: "deps-1", version: "d".repeat(64) });
    expect(cacheResponse.parse(await otherVersion.json()).entry).toBeNull();

    const fork = (await claimedJob(t, "cache-fork", { ref: "refs/pull/7/merge", event: "pull_request", trusted: false })).assignment;
    expect((await restore(fork, "deps-1")).entry).toMatchObject({ key: "deps-1", scope: "refs/heads/main" });
    expect(await save(fork, "deps-1", "poisoned")).toBe(200);
    expect((await restore(fork, "deps-1")).entry).toMatchObject({ scope: "refs/pull/7/merge", sha256: sha(Buffer.from("poisoned")) });
    const mainAgain = (await claimedJob(t, "cache-main-2")).assignment;
    expect((await restore(mainAgain, "deps-1")).entry).toMatchObject({ scope: "refs/heads/main", sha256: sha(Buffer.from("one")) });

    // Untrusted code on a branch ref (a protected branch's scope) may read but not write.
    const untrusted = (await claimedJob(t, "cache-untrusted", { trusted: false })).assignment;
    expect(await save(untrusted, "deps-3", "evil")).toBe(403);
    expect(await t.database.forTenant(demo).cacheEntry.count({ where: { key: "deps-3" } })).toBe(0);
  });
});

describe("cache scopes of a pull request", () => {
  it("reads its base branch's entries before the default branch's", async () => {
    const version = "c".repeat(64);
    const saveAs = async (ref: string, key: string, content: string) => {
      const { assignment } = await claimedJob(t, `scope-${content}`, { ref });
      const bytes = Buffer.from(content);
      const { grant } = cacheResponse.parse(await (await post(cachesRoute, assignment.jobToken, { op: "save", attemptId: assignment.attemptId, key, version, sha256: sha(bytes), sizeBytes: bytes.length })).json());
      if (!grant) throw new Error("no grant");
      expect((await put(grant, bytes)).status).toBe(200);
    };
    await saveAs("refs/heads/main", "scoped-1", "from-main");
    await saveAs("refs/heads/release", "scoped-1", "from-release");
    const deliveryId = randomId("dlv");
    await t.database.system("test").webhookDelivery.create({
      data: { id: deliveryId, deliveryId, source: "github", event: "pull_request", action: "opened", tenantId: demo.tenantId, payload: { action: "opened", pull_request: { number: 9, base: { ref: "release" }, head: { ref: "feature" } } } },
    });
    const pr = (await claimedJob(t, "scope-pr", { ref: "refs/pull/9/merge", event: "pull_request", trusted: false, deliveryId })).assignment;
    const found = cacheResponse.parse(await (await post(cachesRoute, pr.jobToken, { op: "restore", attemptId: pr.attemptId, key: "scoped-1", version })).json());
    expect(found.entry).toMatchObject({ scope: "refs/heads/release", sha256: sha(Buffer.from("from-release")) });
  });
});

describe("tenant isolation", () => {
  it("another tenant's job sees none of the demo tenant's caches, and the same bytes are stored apart", async () => {
    const sys = t.database.system("test");
    const other = randomId("ten");
    const ctx = { tenantId: other, actor: { kind: "SYSTEM" as const } };
    await sys.tenant.create({ data: { id: other, slug: "other", name: "Other" } });
    await sys.repository.create({ data: { id: `${other}-repo`, tenantId: other, fullName: "other/app" } });
    const job = { key: "theirs", jobId: "theirs", name: "theirs", needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 10, continueOnError: false, retry: { maxAttempts: 1 }, env: {}, outputs: {}, steps: [{ index: 0, if: "success()", run: "true", env: {}, with: {}, continueOnError: false }] };
    const created = await intake.createRun(sys, ctx, { repositoryId: `${other}-repo`, idempotencyKey: "other-1", workflowPath: ".gantry/workflows/ci.yml", workflowName: "CI", event: "push", ref: "refs/heads/main", sha: "e".repeat(40), trusted: true, plan: { jobs: [job] } });
    const jobId = created.rootJobIds[0] ?? "";
    await transitions.markJobWaiting(sys, ctx, jobId);
    // The other tenant's job runs on its own pool: the demo pool serves the demo tenant only.
    const token = newToken("grt");
    await sys.runnerPool.create({ data: { id: `${other}-pool`, tenantId: other, name: "other", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: hashToken(token) } });
    await enqueueReady(t.database, getServices().scheduler, ctx, [jobId]);
    const { runnerId, credential } = registerResponse.parse(await (await post(registerRoute, token, { protocolVersion: PROTOCOL_VERSION, name: "r-other", version: "0.1.0", providers: ["process"], capacity: 1 })).json());
    const theirs = claimResponse.parse(await (await post(claimRoute, credential, { runnerId, waitMs: 0 })).json()).assignment;
    if (!theirs) throw new Error("no assignment");

    // The demo tenant saved deps-1 on refs/heads/main above; the other tenant's main does not see it.
    const restore = await post(cachesRoute, theirs.jobToken, { op: "restore", attemptId: theirs.attemptId, key: "deps-1", restoreKeys: ["deps-"], version: "c".repeat(64) });
    expect(cacheResponse.parse(await restore.json()).entry).toBeNull();
    // The demo tenant's "dist" bytes, uploaded again by the other tenant: a real upload into its own space.
    const bytes = Buffer.from("pretend this is a tar.gz");
    const answer = artifactResponse.parse(await (await post(artifactsRoute, theirs.jobToken, { op: "upload", attemptId: theirs.attemptId, name: "dist", sha256: sha(bytes), sizeBytes: bytes.length })).json());
    if (!answer.grant) throw new Error("no grant");
    expect((await put(answer.grant, bytes)).status).toBe(200);
    expect(existsSync(path.join(storage, contentObjectKey(other, sha(bytes))))).toBe(true);
    expect(existsSync(path.join(storage, contentObjectKey(demo.tenantId, sha(bytes))))).toBe(true);
    expect(await t.database.forTenant(ctx).artifact.count()).toBe(1);
  });
});
