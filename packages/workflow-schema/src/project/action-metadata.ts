import { ErrorSink } from "../errors";
import { scalarString } from "../yaml/node";
import type { YNode } from "../yaml/node";
import { loadYaml } from "../yaml/load";

/** What a caller needs to know about a local action (`action.yml`). */
export interface ActionMetadata {
  name?: string;
  inputs: { name: string; required: boolean; hasDefault: boolean }[];
  outputs: string[];
  using?: string;
  runsKeys: string[];
}

export type MetadataResult = { ok: true; meta: ActionMetadata } | { ok: false; message: string };

const pairsOf = (n: YNode | undefined): { key: string; value: YNode; line: number }[] =>
  n?.kind === "map" ? n.pairs.map((p) => ({ key: scalarString(p.key), value: p.value, line: p.key.pos.line })) : [];

/** Reads action metadata; problems come back as one message (reported at the caller's `uses:`). */
export function parseActionMetadata(source: string): MetadataResult {
  const sink = new ErrorSink("action.yml");
  const { root } = loadYaml(source, sink);
  const firstErr = sink.errors.find((e) => e.severity === "error");
  if (firstErr) return { ok: false, message: `line ${firstErr.line}: ${firstErr.message}` };
  if (!root || root.kind !== "map") return { ok: false, message: "action metadata must be a mapping" };
  const top = new Map(pairsOf(root).map((p) => [p.key, p]));
  const meta: ActionMetadata = { inputs: [], outputs: [], runsKeys: [] };
  const name = top.get("name")?.value;
  if (name?.kind === "scalar") meta.name = scalarString(name);
  for (const section of ["inputs", "outputs"] as const) {
    const node = top.get(section);
    if (!node || (node.value.kind === "scalar" && node.value.value === null)) continue;
    if (node.value.kind !== "map") return { ok: false, message: `line ${node.line}: ${section} must be mapping node but ${node.value.kind} node was found` };
    const seen = new Set<string>();
    for (const p of pairsOf(node.value)) {
      const k = p.key.toLowerCase();
      if (seen.has(k)) return { ok: false, message: `line ${p.line}: ${section.slice(0, -1)} "${p.key}" is duplicated` };
      seen.add(k);
      if (section === "outputs") meta.outputs.push(p.key);
      else {
        const def = new Map(pairsOf(p.value).map((q) => [q.key, q.value]));
        for (const q of pairsOf(p.value)) {
          if (!["default", "deprecationMessage", "description", "required"].includes(q.key)) {
            return { ok: false, message: `line ${q.line}: unexpected key "${q.key}" for definition of input "${p.key}"` };
          }
        }
        const req = def.get("required");
        meta.inputs.push({ name: p.key, required: req?.kind === "scalar" && (req.value === true || req.value === "true"), hasDefault: def.has("default") });
      }
    }
  }
  const runs = top.get("runs")?.value;
  if (runs?.kind === "map") {
    meta.runsKeys = pairsOf(runs).map((p) => p.key);
    const using = pairsOf(runs).find((p) => p.key === "using")?.value;
    if (using?.kind === "scalar") meta.using = scalarString(using);
  }
  return { ok: true, meta };
}
