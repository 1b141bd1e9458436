// The internal import graph of the sources (value imports only: `import type` leaves nothing at run time), for the
// architecture test's cycle checks.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export type ImportGraph = Map<string, string[]>;

function sourceFiles(dir: string, into: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) {
      if (name !== "node_modules" && name !== "generated") sourceFiles(file, into);
    } else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) into.push(file);
  }
  return into;
}

/** Relative value imports between the .ts/.tsx files under `dirs` (paths relative to `root`). */
export function importGraph(root: string, dirs: string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of dirs.flatMap((dir) => sourceFiles(path.join(root, dir)))) {
    const imports: string[] = [];
    for (const match of readFileSync(file, "utf8").matchAll(/^(import|export)(?! type)[^'";]*?from\s+["'](\.[^"']+)["']/gm)) {
      const base = path.resolve(path.dirname(file), match[2] ?? "");
      const target = [`${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find((candidate) => existsSync(candidate));
      if (target) imports.push(path.relative(root, target));
    }
    graph.set(path.relative(root, file), imports);
  }
  return graph;
}

/** Every cycle a depth-first walk meets, as the files around it. */
export function fileCycles(graph: ImportGraph): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

/** Pairs of first-level folders under a `src/` that import each other (e.g. intake ↔ schedules). */
export function folderCycles(graph: ImportGraph): string[] {
  const folderOf = (file: string) => /^(.*?\/src\/[^/]+)\//.exec(file)?.[1];
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    const from = folderOf(file);
    for (const target of imports) {
      const to = folderOf(target);
      if (from && to && from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  return [...edges].flatMap(([from, tos]) => [...tos].filter((to) => from < to && edges.get(to)?.has(from)).map((to) => `${from} <-> ${to}`));
}
