// The import boundaries are written once (architecture.mjs); ESLint's rules are generated from them, and this
// checks that the table in docs/architecture.md and each package.json say the same, so none of them can drift.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fileCycles, folderCycles, importGraph } from "./import-graph";
// @ts-expect-error architecture.mjs is plain JavaScript shared with eslint.config.js (no declaration file).
import { forbiddenFor, INTERNAL, PARTS } from "../../architecture.mjs";

const root = path.resolve(import.meta.dirname, "../..");
type Part = { mayImport: string[]; testsMayImport?: string[] };
const parts = PARTS as Record<string, Part>;

/** The table's "may import" column, by part: names before any parenthesis, "nothing internal" as none. */
function documentedTable(): Map<string, string[]> {
  const markdown = readFileSync(path.join(root, "docs/architecture.md"), "utf8");
  const rows = new Map<string, string[]>();
  for (const line of markdown.split("\n")) {
    const match = /^\| `((?:apps|packages)\/[a-z-]+)` \|.*\| ([^|]+) \|$/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const column = match[2].replace(/\(.*?\)/g, "").trim();
    rows.set(match[1], column.startsWith("nothing internal") ? [] : column.split(",").map((name) => name.trim()).filter(Boolean));
  }
  return rows;
}

function internalDependencies(part: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(root, part, "package.json"), "utf8")) as { dependencies?: object; devDependencies?: object };
  return Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
    .filter((name) => name.startsWith("@gantry/"))
    .map((name) => name.slice("@gantry/".length))
    .sort();
}

describe("the architecture's import boundaries", () => {
  it("docs/architecture.md lists every part with exactly the imports the lint rules allow", () => {
    const table = documentedTable();
    expect([...table.keys()].sort()).toEqual(Object.keys(parts).sort());
    for (const [part, { mayImport }] of Object.entries(parts)) expect({ part, imports: (table.get(part) ?? []).sort() }).toEqual({ part, imports: [...mayImport].sort() });
  });

  it("every package.json depends on exactly the internal packages its part may import (and its tests' extras)", () => {
    for (const [part, { mayImport, testsMayImport = [] }] of Object.entries(parts)) {
      const declared = internalDependencies(part);
      for (const name of mayImport) expect({ part, declares: declared.includes(name) }).toEqual({ part, declares: true });
      for (const name of declared) expect({ part, name, allowed: [...mayImport, ...testsMayImport, "testing"].includes(name) }).toEqual({ part, name, allowed: true });
    }
  });

  it("the generated rules forbid every internal package a part may not import, and no package it may", () => {
    for (const [part, { mayImport }] of Object.entries(parts)) {
      const [rule] = forbiddenFor(part) as { regex?: string }[];
      const regex = new RegExp(rule?.regex ?? "$^");
      const self = part.split("/")[1];
      for (const name of INTERNAL as string[]) {
        const forbidden = regex.test(`@gantry/${name}`);
        expect({ part, name, forbidden }).toEqual({ part, name, forbidden: name !== self && !mayImport.includes(name) });
      }
      // Tests may use @gantry/testing and any package's /testing entry; never an unlisted package itself.
      const [testRule] = forbiddenFor(part, { tests: true }) as { regex?: string }[];
      const testRegex = new RegExp(testRule?.regex ?? "$^");
      expect({ part, testing: testRegex.test("@gantry/testing") }).toEqual({ part, testing: false });
      for (const name of INTERNAL as string[]) {
        if (name === self || mayImport.includes(name) || name === "testing" || (parts[part]?.testsMayImport ?? []).includes(name)) continue;
        expect({ part, name, fixtures: testRegex.test(`@gantry/${name}/testing`), itself: testRegex.test(`@gantry/${name}`) }).toEqual({ part, name, fixtures: false, itself: true });
      }
    }
  });

  it("no source file imports itself around a cycle, and no two folders of a part import each other", () => {
    const sources = Object.keys(parts).map((part) => `${part}/src`);
    const graph = importGraph(root, sources);
    expect(fileCycles(graph)).toEqual([]);
    // The compiler's folders (compile, expr, project) reference each other by design; every other part's do not
    // (intake used to orchestrate runs itself, and intake and schedules imported each other).
    expect(folderCycles(graph).filter((pair) => !pair.startsWith("packages/workflow-schema/"))).toEqual([]);
  });

  it("the cycle checks find a cycle when there is one", () => {
    const graph = new Map([
      ["apps/worker/src/intake/a.ts", ["apps/worker/src/schedules/b.ts"]],
      ["apps/worker/src/schedules/b.ts", ["apps/worker/src/intake/a.ts"]],
    ]);
    expect(fileCycles(graph)).toHaveLength(1);
    expect(folderCycles(graph)).toEqual(["apps/worker/src/intake <-> apps/worker/src/schedules"]);
  });
});
