// POST /api/runner/v1/step: a step started or finished, with its outputs, GITHUB_STEP_SUMMARY and annotations
// (bounded as GitHub bounds them: annotation-limits.ts),
// into StepRun through the state machine (keyed attemptId + index). A duplicate or late report (a start after the
// finish) answers `applied: false`; a report of an attempt that is lost or over is a 409.
import { transitions, type Database } from "@gantry/db";
import { stepReportRequest, stepReportResponse } from "@gantry/runner-protocol";
import { attemptForToken } from "./attempt-auth";
import type { AttemptMaskers } from "@gantry/engine";
import { reportableOf } from "./reportable-attempt";
import { readBody } from "./respond";
import { boundAnnotations } from "./annotation-limits";

/** How many annotations the attempt's other steps hold (the job's limit counts them all). */
async function annotationsOfOtherSteps(database: Database, attemptId: string, index: number): Promise<number> {
  const [row] = await database.system("runner step report: the job's annotations so far").$queryRaw<{ count: bigint }[]>`
    SELECT COALESCE(SUM(jsonb_array_length("annotations")), 0)::bigint AS count FROM "StepRun"
    WHERE "attemptId" = ${attemptId} AND "index" <> ${index} AND jsonb_typeof("annotations") = 'array'`;
  return Number(row?.count ?? 0n);
}

export async function handleStep(request: Request, deps: { database: Database; maskers?: AttemptMaskers }): Promise<Response> {
  const body = await readBody(request, stepReportRequest);
  if (!body.ok) return body.response;
  const auth = await attemptForToken(request, deps.database, body.value.attemptId);
  if (!auth.ok) return auth.response;
  // Read with the token: no second query.
  const live = reportableOf(auth.attempt);
  if (!live.ok) return live.response;
  const { index, stepId, name, status, startedAt, finishedAt } = body.value;
  // What the UI and GitHub show is masked again with the job's secrets (@gantry/engine's AttemptMaskers), whatever the runner did.
  const masker = deps.maskers ? await deps.maskers.maskerFor(auth.attempt.id) : null;
  const mask = (text: string) => (masker ? masker.mask(text) : text);
  const summary = body.value.summary === undefined ? undefined : mask(body.value.summary);
  const annotations = boundAnnotations(body.value.annotations, status === "RUNNING" ? 0 : await annotationsOfOtherSteps(deps.database, auth.attempt.id, index)).map((annotation) => ({ ...annotation, message: mask(annotation.message), ...(annotation.title !== undefined ? { title: mask(annotation.title) } : {}) }));
  const outputs = Object.fromEntries(Object.entries(body.value.outputs).map(([key, value]) => [key, typeof value === "string" ? mask(value) : value]));
  const ctx = { tenantId: auth.attempt.tenantId, actor: { kind: "RUNNER" as const } };
  const sql = deps.database.system("runner step report");
  const step = { attemptId: auth.attempt.id, index, name: mask(name), ...(stepId !== undefined ? { stepId } : {}) };
  const result =
    status === "RUNNING"
      ? await transitions.startStep(sql, ctx, step, new Date(startedAt ?? Date.now()))
      : await transitions.finishStep(sql, ctx, step, {
          status,
          ...(startedAt !== undefined ? { startedAt: new Date(startedAt) } : {}),
          finishedAt: new Date(finishedAt ?? Date.now()),
          outputs,
          ...(summary !== undefined ? { summary } : {}),
          annotations,
        });
  return Response.json(stepReportResponse.parse({ applied: result.changed }));
}
