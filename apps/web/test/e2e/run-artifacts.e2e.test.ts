// A run's artifacts and annotations on its page, in Chromium after a real run: the production web server, the real
// worker and a real runner (the `process` provider), a workflow pushed to a bare repository and started from the Run
// workflow form. Its job uploads two artifacts with the native upload-artifact and prints `::error file=…,line=…::`
// and a warning; the workflow also expands an untrusted field in `run:` (a script-injection warning at intake). The
// page lists the artifacts (size, expiry, uploader) and the annotations (file and line, a link to the job); the
// download link gives a zip with the files (checked by Info-ZIP's `unzip`); a viewer gets no Delete and the server
// refuses one over HTTP; a maintainer deletes one and it is gone; axe finds nothing; a screenshot for docs/web.md.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEMO, hashPassword, randomId, type Role } from "@gantry/db";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { unzipped } from "../unzip";
import { axeViolations, saveScreenshot } from "./page-checks";
import { poll, signedIn } from "./harness";
import { dispatchAndFinish, useWorkflowPlatform } from "./workflow-platform";

const WORKFLOW = [
  "name: Ship",
  "on:",
  "  workflow_dispatch:",
  "jobs:",
  "  build:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - name: Build",
  "        run: |",
  "          mkdir -p dist/sub",
  '          echo "app v1" > dist/app.txt',
  '          echo "nested file" > dist/sub/readme.md',
  '          echo "coverage 93%" > report.txt',
  '          echo "::error file=src/a.ts,line=3::boom"',
  '          echo "::warning file=src/b.ts,line=7,col=2::careful"',
  "      - uses: actions/upload-artifact@v4",
  "        with:",
  "          name: dist",
  "          path: dist/",
  "      - uses: actions/upload-artifact@v4",
  "        with:",
  "          name: report",
  "          path: report.txt",
  "          retention-days: 5",
  "      - name: Greet",
  "        if: github.event_name == 'pull_request'",
  '        run: echo "${{ github.event.pull_request.title }}"',
  "",
].join("\n");

const platform = useWorkflowPlatform("artifacts", { ".gantry/workflows/ship.yml": WORKFLOW });

/** A member of the demo tenant with `role` who signs in with a password. */
async function memberPage(role: Role): Promise<Page> {
  const { t, server, browser } = platform();
  const id = randomId("usr");
  // Lower case: sign-in looks the address up as typed, lower-cased.
  const email = `${role.toLowerCase()}-${randomBytes(6).toString("hex")}@example.test`;
  const password = `${role} password here`;
  await t.database.system("test").user.create({ data: { id, email, name: role, passwordHash: await hashPassword(password) } });
  await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId: id, role } });
  return signedIn(browser, server, email, password);
}

describe("a run's artifacts and annotations", () => {
  let runUrl = "";
  let runId = "";

  it("lists the artifacts with size, expiry and uploader, and the annotations with file and line", async () => {
    const fixture = platform();
    const { t, browser, server, output } = fixture;
    const page = await signedIn(browser, server);
    await page.setViewportSize({ width: 1280, height: 1000 });
    runId = await dispatchAndFinish(page, fixture, "ship.yml");
    runUrl = page.url();
    const { status } = await t.database.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    expect(status, output()).toBe("SUCCEEDED");
    await page.goto(runUrl);

    const artifacts = page.getByTestId("run-artifacts");
    expect(await artifacts.getByRole("heading", { name: "Artifacts" }).count()).toBe(1);
    const rows = await t.database.system("test").artifact.findMany({ where: { runId }, orderBy: { name: "asc" } });
    expect(rows.map((row) => row.name)).toEqual(["dist", "report"]);
    for (const row of rows) {
      const line = artifacts.getByTestId(`artifact-${row.name}`);
      expect(await line.getByTestId("artifact-size").getAttribute("title")).toBe(`${row.sizeBytes} bytes`);
      expect(await line.getByTestId("artifact-size").innerText()).toMatch(/^\d+(\.\d)? (bytes|KiB)$/);
      expect(await line.getByTestId("artifact-digest").getAttribute("title")).toBe(`sha256:${row.sha256}`);
      expect(await line.getByRole("link", { name: "build" }).getAttribute("href")).toBe(`/t/${DEMO.tenantSlug}/runs/${runId}/jobs/build`);
    }
    const expiry = (name: string) => artifacts.getByTestId(`artifact-${name}`).getByTestId("artifact-expiry").innerText();
    expect(await expiry("report")).toMatch(/^\d{4}-\d\d-\d\d \(in 5 days\)$/);
    expect(await expiry("dist")).toMatch(/^\d{4}-\d\d-\d\d \(in 90 days\)$/);
    // The demo admin may delete.
    expect(await artifacts.getByRole("button", { name: "Delete artifact dist" }).count()).toBe(1);

    const annotations = page.getByTestId("run-annotations");
    expect(await annotations.locator(".card-head").innerText()).toContain("1 error · 2 warnings");
    const items = annotations.getByTestId("run-annotation");
    const texts = await items.allInnerTexts();
    expect(texts).toHaveLength(3);
    // The workflow's own warning first, at its line in the file, then what the step printed.
    expect(texts[0]).toMatch(/^warning \.gantry\/workflows\/ship\.yml:\d+:\d+ .*github\.event\.pull_request\.title.* — workflow validation \[script-injection\]$/);
    expect(texts[1]).toBe("error src/a.ts:3 boom — build › Build");
    expect(texts[2]).toBe("warning src/b.ts:7:2 careful — build › Build");
    expect(await items.nth(1).getByRole("link", { name: "build" }).getAttribute("href")).toBe(`/t/${DEMO.tenantSlug}/runs/${runId}/jobs/build`);

    expect(await axeViolations(page)).toEqual([]);
    await saveScreenshot(page, "run-artifacts-annotations");
  });

  it("downloads an artifact as a zip with its files through a signed link", async () => {
    const { server } = platform();
    const page = await memberPage("VIEWER");
    await page.goto(runUrl);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("artifact-dist").getByRole("link", { name: "dist" }).click()]);
    expect(download.suggestedFilename()).toBe("dist.zip");
    expect(unzipped(readFileSync(await download.path()))).toEqual({ "app.txt": "app v1\n", "sub/readme.md": "nested file\n" });
    // The page's link answers 303 to a fresh signed link, which needs no session (a script may use it for its five minutes).
    const href = (await page.getByTestId("artifact-dist").getByRole("link", { name: "dist" }).getAttribute("href")) ?? "";
    const redirect = await page.request.get(`${server.baseUrl}${href}`, { maxRedirects: 0 });
    expect(redirect.status()).toBe(303);
    const signed = `${server.baseUrl}${redirect.headers()["location"] ?? ""}`;
    expect(signed).toMatch(new RegExp(`^${server.baseUrl}/api/artifacts/download\\?g=[\\w-]+&sig=[\\w-]+$`));
    const anonymous = await fetch(signed);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("content-type")).toBe("application/zip");
    expect(unzipped(Buffer.from(await anonymous.arrayBuffer()))).toEqual({ "app.txt": "app v1\n", "sub/readme.md": "nested file\n" });
    // Changed by one character, the link serves nothing and says why.
    const tampered = await fetch(signed.replace(/sig=(.)/, (_, first: string) => `sig=${first === "A" ? "B" : "A"}`));
    expect(tampered.status).toBe(403);
    expect(((await tampered.json()) as { code: string }).code).toBe("bad_signature");
  });

  it("a viewer cannot delete (no button, and the server refuses); a maintainer deletes one and it is gone", async () => {
    const { t, server, storage, output } = platform();
    const viewer = await memberPage("VIEWER");
    await viewer.goto(runUrl);
    expect(await viewer.getByTestId("run-artifacts").getByRole("button", { name: /Delete/ }).count()).toBe(0);
    const refused = await viewer.request.post(`${server.baseUrl}/api/trpc/artifacts.delete`, { data: { tenant: DEMO.tenantSlug, runId, name: "report" } });
    expect(refused.status()).toBe(403);
    expect(JSON.stringify(await refused.json())).toContain("This needs the maintainer role");
    expect(await t.database.system("test").artifact.count({ where: { runId, name: "report" } })).toBe(1);

    const report = await t.database.system("test").artifact.findUniqueOrThrow({ where: { runId_name: { runId, name: "report" } } });
    expect(existsSync(path.join(storage, report.objectKey))).toBe(true);
    const maintainer = await memberPage("MAINTAINER");
    await maintainer.goto(runUrl);
    maintainer.once("dialog", (dialog) => void dialog.accept());
    await maintainer.getByRole("button", { name: "Delete artifact report" }).click();
    await poll("the artifact gone from the page", 30_000, async () => ((await maintainer.getByTestId("artifact-report").count()) === 0 ? true : undefined), output);
    expect(await maintainer.getByTestId("artifact-dist").count()).toBe(1);
    expect(await t.database.system("test").artifact.count({ where: { runId, name: "report" } })).toBe(0);
    expect(existsSync(path.join(storage, report.objectKey))).toBe(false);
    expect(await t.database.system("test").auditEvent.count({ where: { tenantId: DEMO.tenantId, action: "artifact.deleted" } })).toBe(1);
    await maintainer.reload();
    expect(await maintainer.getByTestId("artifact-report").count()).toBe(0);
  });
});
