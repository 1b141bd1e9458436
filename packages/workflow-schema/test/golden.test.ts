import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileWorkflow, formatErrors, parseWorkflow } from "../src/index.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const cases = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

/** actionlint-style golden files: `x.yaml` is linted and must print exactly `x.out`. UPDATE_GOLDEN=1 rewrites them. */
describe("golden fixtures", () => {
  it("has fixtures", () => expect(cases.length).toBeGreaterThan(5));
  it.each(cases)("%s", (name) => {
    const src = fs.readFileSync(path.join(dir, name), "utf8");
    const got = formatErrors(parseWorkflow(src, name).errors, "text");
    const outFile = path.join(dir, name.replace(/\.yaml$/, ".out"));
    if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(outFile, got ? got + "\n" : "");
    expect(got ? got + "\n" : "").toBe(fs.readFileSync(outFile, "utf8"));
  });
});

/** Compiled plans of the valid fixtures: `x.yaml` must compile to exactly `x.plan.json`. */
describe("golden plans", () => {
  const plans = cases.filter((c) => fs.existsSync(path.join(dir, c.replace(/\.yaml$/, ".plan.json"))) || process.env.UPDATE_GOLDEN === "1");
  it.each(plans.filter((c) => c.startsWith("ok_")))("%s", (name) => {
    const r = compileWorkflow(fs.readFileSync(path.join(dir, name), "utf8"), name);
    const got = JSON.stringify(r.plan ?? null, null, 2) + "\n";
    const outFile = path.join(dir, name.replace(/\.yaml$/, ".plan.json"));
    if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(outFile, got);
    expect(got).toBe(fs.readFileSync(outFile, "utf8"));
  });
});
