// The run page's artifacts through the procedures and routes a browser reaches, on a real database and a real object
// store directory: the list (size, expiry, digest, uploader), the signed download link (a zip made from the native
// tar.gz, a toolkit zip served as is) and every way a link is refused (tampered, expired, another tenant's, deleted),
// and delete (maintainer+, audited, the bytes removed unless another row names them). Zips are checked by Info-ZIP's
// `unzip`, not by our own code.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomId, type TenantContext } from "@gantry/db";
import { artifactResponse } from "@gantry/runner-protocol";
import { contentObjectKey, DirectoryObjectStore } from "@gantry/storage";
import archiver from "archiver";
import { create as createTar } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as artifactsRoute } from "../src/app/api/runner/v1/artifacts/route";
import { PUT as objectPut } from "../src/app/api/runner/v1/objects/route";
import { GET as downloadRoute } from "../src/app/api/artifacts/download/route";
import { artifactDownloadDeps } from "../src/server/artifacts/deps";
import { handleArtifactDownload } from "../src/server/artifacts/download-route";
import { signArtifactDownload } from "../src/server/artifacts/download-url";
import { objectDeps } from "../src/server/runner-api/objects";
import { signObjectUrl } from "../src/server/storage/signed-url";
import { claimedJob, closeRunnerTest, demo, post } from "./runner-support";
import { DEMO, setupWebTest, stubWebEnv, type WebTestContext } from "./support";
import { auditOf, callerFor, member, rejection } from "./trpc-support";
import { unzipped } from "./unzip";

let t: WebTestContext;
const prefix = `gantry-test-${Math.random().toString(16).slice(2, 10)}`;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-storage-"));
const scratch = mkdtempSync(path.join(os.tmpdir(), "gantry-artifact-src-"));
const OTHER: TenantContext = { tenantId: "ten_artifacts_other", actor: { kind: "SYSTEM" } };

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix, GANTRY_STORAGE_DIR: storage });
  await t.database.system("test").tenant.create({ data: { id: OTHER.tenantId, slug: "artifacts-other", name: "Other" } });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
  rmSync(storage, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const store = () => new DirectoryObjectStore(storage);

/** A tar.gz like the native upload-artifact's: `files` relative to the archive's root. */
async function tarGzOf(files: Record<string, string>): Promise<Buffer> {
  const dir = mkdtempSync(path.join(scratch, "src-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of createTar({ gzip: true, cwd: dir, portable: true }, Object.keys(files))) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Uploads an artifact through the runner's routes, as upload-artifact does: its run and the claimed attempt. */
async function uploaded(key: string, name: string, bytes: Buffer) {
  const job = await claimedJob(t, key);
  const grant = artifactResponse.parse(await (await post(artifactsRoute, job.assignment.jobToken, { op: "upload", attemptId: job.assignment.attemptId, name, sha256: sha(bytes), sizeBytes: bytes.length, retentionDays: 7 })).json()).grant;
  if (!grant) throw new Error("no grant");
  expect((await objectPut(new Request(new URL(grant.url, "http://127.0.0.1"), { method: "PUT", body: new Uint8Array(bytes) }))).status).toBe(200);
  return job;
}

const fetchLink = (url: string) => downloadRoute(new Request(new URL(url, "http://127.0.0.1")));
const codeOf = async (response: Response) => [response.status, ((await response.json()) as { code: string }).code] as const;

describe("the run page's artifacts", () => {
  it("lists a run's artifacts with size, expiry, digest and the job attempt that uploaded them", async () => {
    const bytes = await tarGzOf({ "report.txt": "all green\n" });
    const { runId } = await uploaded("list", "report", bytes);
    const viewer = await member(t, "VIEWER");
    const listed = await callerFor(t, viewer).artifacts.list({ tenant: DEMO.tenantSlug, runId });
    expect(listed.canDelete).toBe(false);
    expect(listed.artifacts).toEqual([
      { name: "report", sizeBytes: bytes.length, digest: `sha256:${sha(bytes)}`, createdAt: expect.any(String), expiresAt: expect.any(String), expired: false, uploadedBy: { jobKey: "list", attempt: 1, runAttempt: 1 } },
    ]);
    const days = (Date.parse(listed.artifacts[0]?.expiresAt ?? "") - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    expect((await callerFor(t, await member(t, "MAINTAINER")).artifacts.list({ tenant: DEMO.tenantSlug, runId })).canDelete).toBe(true);
    // Another tenant's member learns nothing: not a member of this tenant, and no such run in their own.
    const outsider = await member(t, "ADMIN", OTHER.tenantId);
    expect((await rejection(callerFor(t, outsider).artifacts.list({ tenant: DEMO.tenantSlug, runId }))).code).toBe("FORBIDDEN");
    expect((await rejection(callerFor(t, outsider).artifacts.list({ tenant: "artifacts-other", runId }))).code).toBe("NOT_FOUND");
  });

  it("downloads the native tar.gz as a zip of the same files through a signed link, and a toolkit zip as it was uploaded", async () => {
    const bytes = await tarGzOf({ "dist/app.js": "console.log(1)\n", "dist/nested/readme.md": "# hi\n", "top.txt": "top\n" });
    const { runId } = await uploaded("zip", "dist", bytes);
    const viewer = await member(t, "VIEWER");
    const link = await callerFor(t, viewer).artifacts.download({ tenant: DEMO.tenantSlug, runId, name: "dist" });
    expect(link.url).toMatch(/^\/api\/artifacts\/download\?g=[\w-]+&sig=[\w-]+$/);
    expect(link.fileName).toBe("dist.zip");
    const response = await fetchLink(link.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("content-disposition")).toContain('filename="dist.zip"');
    expect(unzipped(Buffer.from(await response.arrayBuffer()))).toEqual({ "dist/app.js": "console.log(1)\n", "dist/nested/readme.md": "# hi\n", "top.txt": "top\n" });

    // upload-artifact@v4's artifact is the toolkit's own zip: served byte for byte.
    const zip = await new Promise<Buffer>((resolve, reject) => {
      const archive = archiver("zip");
      const chunks: Buffer[] = [];
      archive.on("data", (chunk: Buffer) => chunks.push(chunk));
      archive.on("end", () => resolve(Buffer.concat(chunks)));
      archive.on("error", reject);
      archive.append(Buffer.from("from the toolkit\n"), { name: "v4.txt" });
      void archive.finalize();
    });
    const objectKey = contentObjectKey(DEMO.tenantId, sha(zip));
    await store().put(objectKey, zip);
    await t.database.forTenant(demo).artifact.create({ data: { id: randomId("art"), tenantId: DEMO.tenantId, runId, name: "toolkit", sizeBytes: BigInt(zip.length), sha256: sha(zip), objectKey, expiresAt: new Date(Date.now() + 86_400_000) } });
    const toolkit = await callerFor(t, viewer).artifacts.download({ tenant: DEMO.tenantSlug, runId, name: "toolkit" });
    const served = Buffer.from(await (await fetchLink(toolkit.url)).arrayBuffer());
    expect(sha(served)).toBe(sha(zip));
    expect(unzipped(served)).toEqual({ "v4.txt": "from the toolkit\n" });
  });

  it("refuses a tampered, forged, expired or other tenant's link, and a link to a deleted artifact", async () => {
    const bytes = await tarGzOf({ "secret.txt": "tenant A's\n" });
    const { runId } = await uploaded("refuse", "private", bytes);
    const row = await t.database.forTenant(demo).artifact.findUniqueOrThrow({ where: { runId_name: { runId, name: "private" } } });
    const { url } = await callerFor(t, await member(t, "VIEWER")).artifacts.download({ tenant: DEMO.tenantSlug, runId, name: "private" });
    const at = new URL(url, "http://127.0.0.1");

    const badSig = new URL(at);
    badSig.searchParams.set("sig", `${at.searchParams.get("sig")?.slice(0, -2) ?? ""}AA`);
    expect(await codeOf(await downloadRoute(new Request(badSig)))).toEqual([403, "bad_signature"]);
    // The payload changed to name the other tenant, the signature kept: refused before any lookup.
    const payload = JSON.parse(Buffer.from(at.searchParams.get("g") ?? "", "base64url").toString()) as Record<string, unknown>;
    const retargeted = new URL(at);
    retargeted.searchParams.set("g", Buffer.from(JSON.stringify({ ...payload, tenantId: OTHER.tenantId })).toString("base64url"));
    expect(await codeOf(await downloadRoute(new Request(retargeted)))).toEqual([403, "bad_signature"]);
    // A runner object URL for the same bytes is signed with another key: not a download link.
    const objectUrl = signObjectUrl(objectDeps().secret, { op: "get", tenantId: DEMO.tenantId, sha256: row.sha256, sizeBytes: bytes.length, exp: Date.now() + 60_000 });
    expect(await codeOf(await fetchLink(`/api/artifacts/download?${objectUrl.split("?")[1] ?? ""}`))).toEqual([403, "bad_signature"]);

    // Expired: the same link a moment after its five minutes.
    const deps = artifactDownloadDeps();
    const expired = await handleArtifactDownload(new Request(at), { ...deps, now: () => Number(payload.exp) });
    expect(await codeOf(expired)).toEqual([403, "url_expired"]);
    const almost = await handleArtifactDownload(new Request(at), { ...deps, now: () => Number(payload.exp) - 1 });
    expect(almost.status).toBe(200);
    await almost.body?.cancel();

    // Properly signed, but for the other tenant naming this tenant's artifact: looked up in the other tenant, not found.
    const crossTenant = signArtifactDownload(deps.key, { tenantId: OTHER.tenantId, artifactId: row.id, sha256: row.sha256, exp: Date.now() + 60_000 });
    expect(await codeOf(await fetchLink(crossTenant))).toEqual([404, "artifact_not_found"]);

    // Deleted: the link made before no longer serves anything.
    await callerFor(t, await member(t, "MAINTAINER")).artifacts.delete({ tenant: DEMO.tenantSlug, runId, name: "private" });
    expect(await codeOf(await fetchLink(url))).toEqual([404, "artifact_not_found"]);
  });

  it("lets a maintainer delete an artifact (audited, bytes removed unless another row names them), never a developer or viewer", async () => {
    const bytes = await tarGzOf({ "out.txt": "to delete\n" });
    const { runId } = await uploaded("delete", "doomed", bytes);
    const objectKey = contentObjectKey(DEMO.tenantId, sha(bytes));
    for (const role of ["VIEWER", "DEVELOPER"] as const) {
      const refused = await rejection(callerFor(t, await member(t, role)).artifacts.delete({ tenant: DEMO.tenantSlug, runId, name: "doomed" }));
      expect(refused.code).toBe("FORBIDDEN");
      expect(refused.message).toContain("needs the maintainer role");
    }
    expect(await store().exists(objectKey)).toBe(true);

    const maintainer = await member(t, "MAINTAINER");
    expect(await callerFor(t, maintainer).artifacts.delete({ tenant: DEMO.tenantSlug, runId, name: "doomed" })).toEqual({ name: "doomed", bytesRemoved: true });
    expect((await callerFor(t, maintainer).artifacts.list({ tenant: DEMO.tenantSlug, runId })).artifacts).toEqual([]);
    expect(await store().exists(objectKey)).toBe(false);
    const audit = (await auditOf(t, "artifact.deleted")).filter((event) => (event.data as { runId?: string }).runId === runId);
    expect(audit.map((event) => [event.actorId, event.targetType, (event.data as { name: string }).name])).toEqual([[maintainer.userId, "Artifact", "doomed"]]);
    expect((await rejection(callerFor(t, maintainer).artifacts.delete({ tenant: DEMO.tenantSlug, runId, name: "doomed" }))).code).toBe("NOT_FOUND");

    // The same bytes uploaded by two runs: deleting one keeps the bytes the other still names.
    const shared = await tarGzOf({ "same.txt": "same bytes\n" });
    const first = await uploaded("shared-1", "same", shared);
    const second = await uploaded("shared-2", "same", shared);
    expect(await callerFor(t, maintainer).artifacts.delete({ tenant: DEMO.tenantSlug, runId: first.runId, name: "same" })).toEqual({ name: "same", bytesRemoved: false });
    const { url } = await callerFor(t, maintainer).artifacts.download({ tenant: DEMO.tenantSlug, runId: second.runId, name: "same" });
    expect(unzipped(Buffer.from(await (await fetchLink(url)).arrayBuffer()))).toEqual({ "same.txt": "same bytes\n" });
  });
});
