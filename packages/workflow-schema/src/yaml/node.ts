import type { Pos } from "../errors";

/** A YAML node with its 1-based position. Aliases are already expanded (positions are the anchor's). */
export type YNode = YMap | YSeq | YScalar;

export interface YScalar {
  kind: "scalar";
  pos: Pos;
  value: string | number | boolean | null;
  /** The scalar's text exactly as written in the source (quotes included). */
  raw: string;
  /** Source offset of `raw`. */
  offset: number;
  style: "plain" | "quoted" | "block";
  /** True when the value was missing (`key:` with nothing after it). */
  missing?: boolean;
}

export interface YPair {
  key: YScalar;
  value: YNode;
}

export interface YMap {
  kind: "map";
  pos: Pos;
  pairs: YPair[];
}

export interface YSeq {
  kind: "seq";
  pos: Pos;
  items: YNode[];
}

export function nodeKindName(n: YNode): string {
  if (n.kind === "map") return "mapping";
  if (n.kind === "seq") return "sequence";
  return n.value === null ? "null" : "scalar";
}

/** The scalar as a string (numbers and booleans are printed as YAML wrote them). */
export function scalarString(n: YScalar): string {
  if (n.value === null) return "";
  if (typeof n.value === "string") return n.value;
  return n.style === "plain" ? n.raw : String(n.value);
}

/** Plain JSON value of a node, for matrix values and `with:` inputs. */
export function toPlain(n: YNode): unknown {
  if (n.kind === "scalar") return n.value;
  if (n.kind === "seq") return n.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const p of n.pairs) out[scalarString(p.key)] = toPlain(p.value);
  return out;
}
