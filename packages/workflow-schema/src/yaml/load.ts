import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import type { Alias, Document, Node as YamlNode, Pair, Scalar } from "yaml";
import type { ErrorSink, Pos } from "../errors";
import type { YNode, YPair, YScalar } from "./node";
import { indentQuotedContinuations } from "./repair";

export interface Loaded {
  root?: YNode;
  /** Converts a source offset to a 1-based position. */
  posAt(offset: number): Pos;
}

/** Parses one workflow file into position-carrying nodes; YAML problems go to `sink`, never thrown. */
export function loadYaml(source: string, sink: ErrorSink): Loaded {
  let lc = new LineCounter();
  let docs = parseAllDocuments(source, { lineCounter: lc, uniqueKeys: false, merge: false, strict: false });
  if (hasParseErrors(docs)) {
    const repaired = indentQuotedContinuations(source);
    if (repaired !== source) {
      const lc2 = new LineCounter();
      const docs2 = parseAllDocuments(repaired, { lineCounter: lc2, uniqueKeys: false, merge: false, strict: false });
      if (!hasParseErrors(docs2)) {
        docs = docs2;
        lc = lc2;
        source = repaired;
      }
    }
  }
  const lineCounter = lc;
  const posAt = (offset: number): Pos => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const list = Array.isArray(docs) ? docs : [docs];
  let failed = false;
  for (const d of list) {
    for (const e of d.errors) {
      failed = true;
      const at = e.linePos?.[0] ?? posAt(e.pos[0]);
      sink.error({ line: at.line, col: at.col }, "yaml-syntax", `could not parse as YAML: ${firstLine(e.message)}`);
    }
  }
  if (failed) return { posAt };
  if (list.length > 1) {
    const second = list[1];
    const at = second?.contents?.range ? posAt(second.contents.range[0]) : { line: 1, col: 1 };
    sink.error(at, "yaml-multi-document", "a workflow file must contain exactly one YAML document, found " + list.length);
  }
  const doc = list[0];
  if (!doc || doc.contents === null) return { posAt };
  const conv = new Converter(doc, source, posAt, sink);
  const root = conv.node(doc.contents);
  conv.reportUnusedAnchors();
  return { root, posAt };
}

function hasParseErrors(docs: ReturnType<typeof parseAllDocuments>): boolean {
  const list = Array.isArray(docs) ? docs : [docs];
  return list.some((d) => d.errors.length > 0);
}

function firstLine(msg: string): string {
  return (msg.split("\n")[0] ?? msg).trim();
}

/** Upper bound on nodes after alias expansion: stops "billion laughs" documents. */
export const MAX_NODES = 100_000;

class Converter {
  private readonly expanding = new Set<YamlNode>();
  private nodes = 0;
  private overflow = false;
  private readonly usedAnchors = new Set<unknown>();
  private readonly anchors: { name: string; pos: Pos; node: unknown }[] = [];

  constructor(
    private readonly doc: Document.Parsed,
    private readonly src: string,
    private readonly posAt: (o: number) => Pos,
    private readonly sink: ErrorSink,
  ) {}

  node(n: unknown, fallback?: Pos): YNode {
    if (++this.nodes > MAX_NODES) {
      const at = fallback ?? { line: 1, col: 1 };
      if (!this.overflow) this.sink.error(at, "yaml-too-large", `the document expands to more than ${MAX_NODES} nodes (aliases included); it is rejected`);
      this.overflow = true;
      return this.missing(at);
    }
    if (isAlias(n)) return this.alias(n, fallback);
    if (isMap(n) || isSeq(n) || isScalar(n)) {
      const pos = n.range ? this.posAt(n.range[0]) : (fallback ?? { line: 1, col: 1 });
      if (n.anchor) this.anchors.push({ name: n.anchor, node: n, pos: anchorPos(this.src, n.range?.[0], n.anchor, this.posAt) ?? pos });
      if (isMap(n)) return { kind: "map", pos, pairs: this.pairs(n.items) };
      if (isSeq(n)) return { kind: "seq", pos, items: n.items.map((i) => this.node(i, pos)) };
      return this.scalar(n, pos);
    }
    return this.missing(fallback ?? { line: 1, col: 1 });
  }

  private alias(n: Alias, fallback?: Pos): YNode {
    const at = n.range ? this.posAt(n.range[0]) : (fallback ?? { line: 1, col: 1 });
    const target = n.resolve(this.doc);
    this.usedAnchors.add(target);
    if (!target || !(isMap(target) || isSeq(target) || isScalar(target) || isAlias(target))) {
      this.sink.error(at, "yaml-alias", `could not parse as YAML: unknown anchor "${n.source}" referenced`);
      return this.missing(at);
    }
    if (this.expanding.has(target)) {
      const decl = target.range ? this.posAt(target.range[0]) : at;
      this.sink.error(at, "yaml-alias", `recursive alias "${n.source}" is found. anchor was declared at line:${decl.line}, column:${decl.col}`);
      return this.missing(at);
    }
    this.expanding.add(target);
    try {
      if (isMap(target) || isSeq(target) || isScalar(target)) {
        const anchor = target.anchor;
        target.anchor = undefined; // do not re-register the anchor on expansion
        const out = this.node(target, at);
        target.anchor = anchor;
        return out;
      }
      return this.node(target, at);
    } finally {
      this.expanding.delete(target);
    }
  }

  private pairs(items: Pair[]): YPair[] {
    const out: YPair[] = [];
    for (const p of items) {
      const keyNode = this.node(p.key);
      const key: YScalar = keyNode.kind === "scalar" ? keyNode : { ...this.missing(keyNode.pos), raw: "" };
      if (keyNode.kind !== "scalar") this.sink.error(keyNode.pos, "yaml-complex-key", "a mapping key must be a scalar");
      if (key.style === "plain" && key.value === "<<") {
        this.sink.error(key.pos, "yaml-merge-key", "YAML merge key \"<<\" is not supported by GitHub Actions. use an alias (*name) of the whole node instead");
        continue;
      }
      const value = p.value === null || p.value === undefined ? this.missing(afterKey(key)) : this.node(p.value, key.pos);
      out.push({ key, value });
    }
    return out;
  }

  private scalar(n: Scalar, pos: Pos): YScalar {
    const range = n.range ?? [0, 0, 0];
    const raw = this.src.slice(range[0], range[1]);
    const t = n.type;
    const style = t === "QUOTE_DOUBLE" || t === "QUOTE_SINGLE" ? "quoted" : t === "BLOCK_FOLDED" || t === "BLOCK_LITERAL" ? "block" : "plain";
    const v = n.value;
    let value: YScalar["value"];
    if (typeof v === "string" || typeof v === "boolean" || v === null) value = v;
    else if (typeof v === "number") value = v;
    else if (typeof v === "bigint") value = Number(v);
    else value = raw;
    return { kind: "scalar", pos, value, raw, offset: range[0], style };
  }

  private missing(pos: Pos): YScalar {
    return { kind: "scalar", pos, value: null, raw: "", offset: -1, style: "plain", missing: true };
  }

  reportUnusedAnchors(): void {
    for (const a of this.anchors) {
      if (!this.usedAnchors.has(a.node)) this.sink.warn(a.pos, "yaml-unused-anchor", `anchor "${a.name}" is defined but not used`);
    }
  }
}

function afterKey(key: YScalar): Pos {
  return { line: key.pos.line, col: key.pos.col + key.raw.length + 1 };
}

/** The `&name` marker sits before the node's range; find it on the same or previous text. */
function anchorPos(src: string, nodeStart: number | undefined, name: string, posAt: (o: number) => Pos): Pos | undefined {
  if (nodeStart === undefined) return undefined;
  const from = Math.max(0, nodeStart - 400);
  const idx = src.lastIndexOf("&" + name, nodeStart);
  return idx >= from ? posAt(idx) : undefined;
}
