// A run's annotations: what steps report through the runner's step route is bounded as GitHub bounds it (10 per
// level per step, 50 per job) and annotations.list returns it with file, line, job and step, after the workflow's
// own validation errors and warnings; only the tenant's members see them.
import { intake, randomId } from "@gantry/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as stepRoute } from "../src/app/api/runner/v1/step/route";
import { ANNOTATIONS_PER_JOB, ANNOTATIONS_PER_STEP_PER_LEVEL, boundAnnotations } from "../src/server/runner-api/annotation-limits";
import { claimedJob, closeRunnerTest, demo, post } from "./runner-support";
import { DEMO, setupWebTest, stubWebEnv, type WebTestContext } from "./support";
import { callerFor, member, rejection } from "./trpc-support";

let t: WebTestContext;
const prefix = `gantry-test-${Math.random().toString(16).slice(2, 10)}`;

beforeAll(async () => {
  t = await setupWebTest();
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix });
});
afterAll(async () => {
  await closeRunnerTest(t, prefix);
});

const many = (level: "error" | "warning" | "notice", count: number, from = 1) => Array.from({ length: count }, (_, i) => ({ level, message: `${level} ${from + i}`, file: "src/a.ts", line: from + i }));

describe("annotation limits", () => {
  it("keeps the first 10 of each level per step and 50 per job", () => {
    const kept = boundAnnotations([...many("error", 12), ...many("warning", 3), ...many("notice", 11)], 0);
    expect(kept.filter((a) => a.level === "error").map((a) => a.message)).toEqual(many("error", 10).map((a) => a.message));
    expect(kept.filter((a) => a.level === "warning")).toHaveLength(3);
    expect(kept.filter((a) => a.level === "notice")).toHaveLength(ANNOTATIONS_PER_STEP_PER_LEVEL);
    expect(boundAnnotations(many("error", 8), ANNOTATIONS_PER_JOB - 5)).toHaveLength(5);
    expect(boundAnnotations(many("error", 8), ANNOTATIONS_PER_JOB + 3)).toEqual([]);
  });
});

describe("annotations.list", () => {
  it("lists what the steps reported, bounded, with file, line, job and step, in step order", async () => {
    const { assignment, runId } = await claimedJob(t, "lint");
    const report = (index: number, name: string, annotations: unknown[]) =>
      post(stepRoute, assignment.jobToken, { attemptId: assignment.attemptId, index, name, status: "FAILED", startedAt: Date.now(), finishedAt: Date.now(), outputs: {}, annotations });
    expect((await report(0, "Type check", [{ level: "error", message: "boom", file: "src/a.ts", line: 3 }, { level: "warning", message: "careful", file: "src/b.ts", line: 9, col: 2, title: "Lint" }])).status).toBe(200);
    // 30 here and 30 in the next step: the job keeps 50.
    expect((await report(1, "Many", [...many("error", 12), ...many("warning", 10), ...many("notice", 10)])).status).toBe(200);
    expect((await report(2, "More", [...many("error", 10, 100), ...many("warning", 10, 100), ...many("notice", 10, 100)])).status).toBe(200);

    const viewer = await member(t, "VIEWER");
    const { annotations, counts } = await callerFor(t, viewer).annotations.list({ tenant: DEMO.tenantSlug, runId });
    expect(annotations.slice(0, 2)).toEqual([
      { source: "step", level: "error", message: "boom", title: null, file: "src/a.ts", line: 3, col: null, code: null, job: { key: "lint", attempt: 1, stepIndex: 0, stepName: "Type check" } },
      { source: "step", level: "warning", message: "careful", title: "Lint", file: "src/b.ts", line: 9, col: 2, code: null, job: { key: "lint", attempt: 1, stepIndex: 0, stepName: "Type check" } },
    ]);
    expect(annotations).toHaveLength(ANNOTATIONS_PER_JOB);
    const perStep = (index: number) => annotations.filter((a) => a.job?.stepIndex === index).length;
    expect([perStep(0), perStep(1), perStep(2)]).toEqual([2, 30, 18]);
    expect(annotations.filter((a) => a.job?.stepIndex === 1 && a.level === "error").map((a) => a.line)).toEqual(many("error", 10).map((a) => a.line));
    expect(counts).toEqual({ error: 1 + 10 + 10, warning: 1 + 10 + 8, notice: 10 });

    const other = randomId("ten");
    await t.database.system("test").tenant.create({ data: { id: other, slug: `other-${other.slice(-6).toLowerCase()}`, name: "Other" } });
    const outsider = await member(t, "ADMIN", other);
    expect((await rejection(callerFor(t, outsider).annotations.list({ tenant: DEMO.tenantSlug, runId }))).code).toBe("FORBIDDEN");
  });

  it("lists the workflow's validation warnings (script injection) first, with file, line and rule", async () => {
    const { runId } = await intake.createRun(t.database.system("test"), demo, {
      repositoryId: DEMO.repositoryId,
      idempotencyKey: randomId("idem"),
      workflowPath: ".gantry/workflows/greet.yml",
      workflowName: "Greet",
      event: "push",
      ref: "refs/heads/main",
      sha: "d".repeat(40),
      trusted: true,
      plan: { jobs: [{ key: "greet", jobId: "greet", name: "greet", needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } }] },
      warnings: [{ file: ".gantry/workflows/greet.yml", line: 7, col: 24, code: "script-injection", message: '"github.event.head_commit.message" is potentially untrusted.', severity: "warning" }],
    });
    const { annotations } = await callerFor(t, await member(t, "VIEWER")).annotations.list({ tenant: DEMO.tenantSlug, runId });
    expect(annotations).toEqual([
      { source: "workflow", level: "warning", message: '"github.event.head_commit.message" is potentially untrusted.', title: null, file: ".gantry/workflows/greet.yml", line: 7, col: 24, code: "script-injection", job: null },
    ]);
  });
});
