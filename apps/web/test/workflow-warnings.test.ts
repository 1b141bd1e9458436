// Validation warnings on the dashboard, and the tenant setting that makes script injection an error:
// runs.get returns a run's warnings with their positions, the run page lists them, and tenants.updateSettings
// is for admins only (audited).
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { intake, randomId, type Role, type TenantContext } from "@gantry/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkflowWarnings } from "../src/app/t/[tenant]/runs/[runId]/workflow-warnings";
import { actionsPolicyFromForm } from "../src/app/t/[tenant]/settings/actions-policy-form";
import { TenantSettingsForm } from "../src/app/t/[tenant]/settings/settings-form";
import type { SessionUser } from "../src/server/auth";
import { createCaller } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { DEMO, setupWebTest, type WebTestContext } from "./support";
import { rejection } from "./trpc-support";

let t: WebTestContext;
const demoAdmin: SessionUser = { userId: DEMO.userId, email: DEMO.email, name: "Demo Admin" };
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const caller = (session: SessionUser) => createCaller(createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues, now: () => new Date() }));

const INJECTION = {
  file: ".gantry/workflows/greet.yml",
  line: 7,
  col: 24,
  code: "script-injection",
  message: '"github.event.pull_request.title" is potentially untrusted. avoid using it directly in inline scripts.',
  severity: "warning" as const,
};

async function member(role: Role): Promise<SessionUser> {
  const id = randomId("usr");
  await t.database.system("test").user.create({ data: { id, email: `${id}@example.test`, name: id } });
  await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId: id, role } });
  return { userId: id, email: `${id}@example.test`, name: id };
}

beforeAll(async () => {
  t = await setupWebTest();
});
afterAll(async () => {
  await t?.close();
});

describe("a run's validation warnings", () => {
  it("runs.get returns them with file, line, column, rule and message", async () => {
    const job = { key: "greet", jobId: "greet", name: "greet", needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } };
    const created = await intake.createRun(t.database.system("test"), demo, {
      repositoryId: DEMO.repositoryId,
      idempotencyKey: "warned",
      workflowPath: INJECTION.file,
      workflowName: "Greet",
      event: "push",
      ref: "refs/heads/main",
      sha: "d".repeat(40),
      trusted: true,
      plan: { jobs: [job] },
      warnings: [INJECTION],
    });
    const run = await caller(demoAdmin).runs.get({ tenant: DEMO.tenantSlug, runId: created.runId });
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([INJECTION]);
  });

  it("the run page lists each as file:line:col, message and rule", () => {
    const html = renderToStaticMarkup(createElement(WorkflowWarnings, { warnings: [INJECTION] }));
    expect(html).toContain('data-testid="run-warnings"');
    expect(html).toContain(".gantry/workflows/greet.yml:7:24");
    expect(html).toContain("[script-injection]");
    expect(html).toContain("github.event.pull_request.title");
    expect(renderToStaticMarkup(createElement(WorkflowWarnings, { warnings: [] }))).toBe("");
  });
});

describe("tenants.updateSettings", () => {
  it("is refused for every role below admin, and changes nothing", async () => {
    for (const role of ["VIEWER", "DEVELOPER", "MAINTAINER"] as const) {
      const error = await rejection(caller(await member(role)).tenants.updateSettings({ tenant: DEMO.tenantSlug, injectionIsError: true }));
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toContain("admin");
    }
    const tenant = await t.database.system("test").tenant.findUniqueOrThrow({ where: { id: DEMO.tenantId } });
    expect(tenant.injectionLintError).toBe(false);
  });

  it("an admin turns injection-is-an-error on and off; each change is audited and tenants.settings reads it back", async () => {
    const admin = caller(demoAdmin);
    expect(await admin.tenants.settings({ tenant: DEMO.tenantSlug })).toMatchObject({ injectionIsError: false, allowedActions: { kind: "all" }, githubOrgJoinRole: null, canManage: true });
    expect(await admin.tenants.updateSettings({ tenant: DEMO.tenantSlug, injectionIsError: true })).toMatchObject({ injectionIsError: true, allowedActions: { kind: "all" } });
    expect((await t.database.system("test").tenant.findUniqueOrThrow({ where: { id: DEMO.tenantId } })).injectionLintError).toBe(true);
    expect(await caller(await member("VIEWER")).tenants.settings({ tenant: DEMO.tenantSlug })).toMatchObject({ injectionIsError: true, allowedActions: { kind: "all" }, githubOrgJoinRole: null, canManage: false });
    await admin.tenants.updateSettings({ tenant: DEMO.tenantSlug, injectionIsError: false });
    const audits = await t.database.system("test").auditEvent.findMany({ where: { tenantId: DEMO.tenantId, action: "tenant.settings.update" }, orderBy: { createdAt: "asc" } });
    expect(audits.map((audit) => [audit.actorId, audit.data])).toEqual([
      [DEMO.userId, { injectionIsError: true }],
      [DEMO.userId, { injectionIsError: false }],
    ]);
  });

  it("the settings page's checkbox shows the setting; only an admin gets a save button", () => {
    const admin = renderToStaticMarkup(createElement(TenantSettingsForm, { tenant: DEMO.tenantSlug, injectionIsError: true, allowedActions: { kind: "all" }, canManage: true }));
    const checkbox = (html: string) => /<input type="checkbox"[^>]*name="injectionIsError"[^>]*>/.exec(html)?.[0] ?? "";
    expect(checkbox(admin)).toContain('checked=""');
    expect(checkbox(admin)).not.toContain("disabled");
    expect(admin).toContain("Script injection is an error");
    expect(admin).toContain("Save settings");
    const viewer = renderToStaticMarkup(createElement(TenantSettingsForm, { tenant: DEMO.tenantSlug, injectionIsError: false, allowedActions: { kind: "all" }, canManage: false }));
    expect(checkbox(viewer)).toContain('disabled=""');
    expect(checkbox(viewer)).not.toContain("checked");
    expect(viewer).not.toContain("Save settings");
    expect(viewer).toContain("Only an admin can change these settings.");
  });

  it("an admin sets the allowed-actions policy: one audit event with the new policy, read back by tenants.settings", async () => {
    const admin = caller(demoAdmin);
    const policy = { kind: "list" as const, patterns: ["actions/*", "codecov/codecov-action@v1", "octo/repo/setup@main"] };
    const before = await t.database.system("test").auditEvent.count({ where: { tenantId: DEMO.tenantId, action: "tenant.settings.update" } });
    expect(await admin.tenants.updateSettings({ tenant: DEMO.tenantSlug, allowedActions: policy })).toMatchObject({ injectionIsError: false, allowedActions: policy });
    expect((await t.database.system("test").tenant.findUniqueOrThrow({ where: { id: DEMO.tenantId } })).allowedActions).toEqual(policy);
    expect(await caller(await member("DEVELOPER")).tenants.settings({ tenant: DEMO.tenantSlug })).toMatchObject({ injectionIsError: false, allowedActions: policy, canManage: false });
    const audits = await t.database.system("test").auditEvent.findMany({ where: { tenantId: DEMO.tenantId, action: "tenant.settings.update" }, orderBy: { id: "asc" } });
    expect(audits.length).toBe(before + 1);
    expect(audits.at(-1)).toEqual(expect.objectContaining({ actorKind: "USER", actorId: DEMO.userId, targetType: "Tenant", targetId: DEMO.tenantId, data: { allowedActions: policy } }));
    await admin.tenants.updateSettings({ tenant: DEMO.tenantSlug, allowedActions: { kind: "all" } });
  });

  it("refuses a bad pattern with a clear error, and the policy below admin; neither changes anything", async () => {
    const error = await rejection(caller(demoAdmin).tenants.updateSettings({ tenant: DEMO.tenantSlug, allowedActions: { kind: "list", patterns: ["actions/*", "octo"] } }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain('pattern \\"octo\\" names no repository');
    const forbidden = await rejection(caller(await member("MAINTAINER")).tenants.updateSettings({ tenant: DEMO.tenantSlug, allowedActions: { kind: "github-owned" } }));
    expect(forbidden.code).toBe("FORBIDDEN");
    expect((await t.database.system("test").tenant.findUniqueOrThrow({ where: { id: DEMO.tenantId } })).allowedActions).toEqual({ kind: "all" });
    expect((await rejection(caller(demoAdmin).tenants.updateSettings({ tenant: DEMO.tenantSlug }))).code).toBe("BAD_REQUEST");
  });

  it("the settings form shows the policy's choice and its patterns, one a line, and names the first bad line", () => {
    const html = renderToStaticMarkup(createElement(TenantSettingsForm, { tenant: DEMO.tenantSlug, injectionIsError: false, allowedActions: { kind: "list", patterns: ["actions/*", "octo/repo@v1"] }, canManage: true }));
    expect(/<input type="radio"[^>]*value="list"[^>]*>/.exec(html)?.[0]).toContain('checked=""');
    expect(/<input type="radio"[^>]*value="all"[^>]*>/.exec(html)?.[0]).not.toContain("checked");
    expect(html).toContain(">actions/*\nocto/repo@v1</textarea>");
    expect(actionsPolicyFromForm("list", "actions/*\r\n\n  octo/repo@v1 \nocto/repo@v1")).toEqual({ policy: { kind: "list", patterns: ["actions/*", "octo/repo@v1"] } });
    expect(actionsPolicyFromForm("list", "actions/*\nocto/repo@")).toEqual({ problem: expect.stringContaining("line 2: pattern \"octo/repo@\" has an empty or second \"@\"") });
    expect(actionsPolicyFromForm("github-owned", "ignored")).toEqual({ policy: { kind: "github-owned" } });
  });

  it("rejects input that is not a boolean", async () => {
    const notABoolean = JSON.parse(`{"tenant": "${DEMO.tenantSlug}", "injectionIsError": "yes"}`);
    const error = await rejection(caller(demoAdmin).tenants.updateSettings(notABoolean));
    expect(error.code).toBe("BAD_REQUEST");
  });
});

describe("tenants.updateSettings: GitHub organisation join", () => {
  it("an admin sets and clears the GitHub organisation's join role, audited; a bad role is refused", async () => {
    const admin = caller(demoAdmin);
    expect((await admin.tenants.updateSettings({ tenant: DEMO.tenantSlug, githubOrgJoinRole: "DEVELOPER" })).githubOrgJoinRole).toBe("DEVELOPER");
    expect((await admin.tenants.settings({ tenant: DEMO.tenantSlug })).githubOrgJoinRole).toBe("DEVELOPER");
    expect((await admin.tenants.updateSettings({ tenant: DEMO.tenantSlug, githubOrgJoinRole: null })).githubOrgJoinRole).toBeNull();
    const events = await t.database.system("test").auditEvent.findMany({ where: { action: "tenant.settings.update" }, orderBy: { id: "desc" }, take: 2 });
    expect(events.map((event) => event.data)).toEqual([{ githubOrgJoinRole: null }, { githubOrgJoinRole: "DEVELOPER" }]);
    // @ts-expect-error: not a role
    expect((await rejection(admin.tenants.updateSettings({ tenant: DEMO.tenantSlug, githubOrgJoinRole: "OWNER" }))).code).toBe("BAD_REQUEST");
  });

});
