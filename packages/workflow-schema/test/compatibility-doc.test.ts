// docs/compatibility.md lists every real-world corpus workflow Gantry refuses, with its reason: this recomputes the
// measurement (bench/lib/actions-coverage.ts, the same one `npm run bench -- actions` prints) and fails when the
// page and the truth differ — regenerate with `npm run bench -- actions --update-doc`.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { COMPATIBILITY_DOC, findCorpus, listedInDoc, measureCoverage, refusalsMarkdown } from "../../../bench/lib/actions-coverage";

/** Measured when remote actions became valid (issue #14); raise it as events and containers land. */
const ACCEPTED_AT_LEAST = 188;
/** The rules a real-world workflow (which GitHub ran) may be refused by: what Gantry does not run, never a false error. */
const ACCEPTABLE_REASONS = ["unsupported-event", "unsupported-container", "unsupported-action"];

const corpus = findCorpus();
if (!corpus) console.warn("[workflow-schema] compatibility-doc test SKIPPED: no shared corpus (set GANTRY_CORPUS_DIR)");

describe.skipIf(!corpus)("docs/compatibility.md and the real-world corpus", () => {
  const coverage = corpus ? measureCoverage(corpus) : undefined;
  const doc = fs.readFileSync(COMPATIBILITY_DOC, "utf8");

  it("lists exactly the refusals measured now, with the figures", () => {
    expect(listedInDoc(doc)).toBeDefined();
    expect(listedInDoc(doc)).toBe(coverage && refusalsMarkdown(coverage));
  });

  it("accepts at least as many as when it was last raised, and states the goal", () => {
    expect(coverage?.total).toBe(201);
    expect(coverage?.accepted).toBeGreaterThanOrEqual(ACCEPTED_AT_LEAST);
    expect(doc).toContain("at least 190 of 201");
  });

  it("refuses only for what Gantry does not run: remote actions, well-formed uses and the rest are never the reason", () => {
    expect(coverage?.refused.filter((r) => !ACCEPTABLE_REASONS.includes(r.code))).toEqual([]);
    expect(coverage?.refused.filter((r) => r.code === "unsupported-action").every((r) => r.message.includes("docker actions need a pool with a container runtime"))).toBe(true);
  });
});
