// The run graph's shape, from the jobs as runs.get returns them: one node per job, a matrix's cells grouped under
// their matrix job (collapsed into one node with counts per status until expanded), a reusable workflow's jobs
// nested inside the job that calls it, and an edge per `needs`. Pure, so the page can tell a change of structure
// (which needs a new layout) from a change of status or time (which does not).

/** The fields of a runs.get job the graph reads. */
export interface GraphJob {
  key: string;
  name: string;
  status: string;
  needs: readonly string[];
  calls: string | null;
  calledBy: string | null;
  matrix: { of: string; values: Readonly<Record<string, string>> } | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A job (a matrix cell too, inside its expanded group), a job calling a reusable workflow, or a matrix's cells. */
export type GraphNode =
  | { kind: "job"; id: string; parent: string | null; key: string }
  | { kind: "call"; id: string; parent: string | null; key: string }
  | { kind: "matrix"; id: string; parent: string | null; of: string; cells: string[]; expanded: boolean };

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
}

/** Parents before their children (React Flow needs that order); edges source → target, each once. */
export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const jobNodeId = (key: string) => `job:${key}`;
export const callNodeId = (key: string) => `call:${key}`;
export const matrixNodeId = (of: string) => `matrix:${of}`;

/**
 * The graph of `jobs` with the matrix groups named in `expanded` (by their `of`) opened. A `needs` on a matrix cell
 * is drawn from its group (a dependency on a matrix is on all its cells), and an edge into or out of a collapsed
 * group ends at the group.
 */
export function buildGraph(jobs: readonly GraphJob[], expanded: ReadonlySet<string>): GraphModel {
  const byKey = new Map(jobs.map((job) => [job.key, job]));
  const ownNode = (job: GraphJob) => (job.calls !== null ? callNodeId(job.key) : jobNodeId(job.key));
  // The node a job sits in: its matrix group, else its caller's container, else the top level.
  const containerOf = (job: GraphJob): string | null => {
    if (job.matrix) return matrixNodeId(job.matrix.of);
    const caller = job.calledBy === null ? undefined : byKey.get(job.calledBy);
    return caller ? callNodeId(caller.key) : null;
  };
  // A matrix group sits where its cells would (all cells of one matrix share their caller).
  const groups = new Map<string, { parent: string | null; cells: string[] }>();
  for (const job of jobs) {
    if (!job.matrix) continue;
    const caller = job.calledBy === null ? undefined : byKey.get(job.calledBy);
    const group = groups.get(job.matrix.of) ?? { parent: caller ? callNodeId(caller.key) : null, cells: [] };
    group.cells.push(job.key);
    groups.set(job.matrix.of, group);
  }

  const nodes: GraphNode[] = [];
  const children = new Map<string | null, (() => void)[]>();
  const later = (parent: string | null, emit: () => void) => children.set(parent, [...(children.get(parent) ?? []), emit]);
  const emitted = new Set<string>();
  for (const job of jobs) {
    const parent = containerOf(job);
    later(parent, () => nodes.push(job.calls !== null ? { kind: "call", id: callNodeId(job.key), parent, key: job.key } : { kind: "job", id: jobNodeId(job.key), parent, key: job.key }));
    // The group is listed where its first cell is, so groups keep the jobs' order.
    if (job.matrix && !emitted.has(job.matrix.of)) {
      emitted.add(job.matrix.of);
      const of = job.matrix.of;
      const group = groups.get(of);
      if (group) later(group.parent, () => nodes.push({ kind: "matrix", id: matrixNodeId(of), parent: group.parent, of, cells: group.cells, expanded: expanded.has(of) }));
    }
  }
  // Depth first from the top level; a collapsed group's cells (and what they call) are not drawn.
  const walk = (parent: string | null) => {
    for (const emit of children.get(parent) ?? []) {
      const before = nodes.length;
      emit();
      const node = nodes[before];
      if (node && (node.kind !== "matrix" || node.expanded)) walk(node.id);
    }
  };
  walk(null);

  const visible = new Set(nodes.map((node) => node.id));
  const parentOf = new Map(nodes.map((node) => [node.id, node.parent]));
  // The node an edge to or from this job ends at: its group for a matrix cell, then the nearest drawn container.
  const endOf = (job: GraphJob): string | undefined => {
    let id: string | null = job.matrix ? matrixNodeId(job.matrix.of) : ownNode(job);
    let hops = 0;
    while (id !== null && !visible.has(id) && hops++ < 64) id = groupParent(id);
    return id ?? undefined;
  };
  const groupParent = (id: string): string | null => {
    if (id.startsWith("matrix:")) return groups.get(id.slice("matrix:".length))?.parent ?? null;
    const job = byKey.get(id.slice(id.indexOf(":") + 1));
    return job ? (job.matrix ? matrixNodeId(job.matrix.of) : containerOf(job)) : null;
  };
  const isAncestor = (ancestor: string, id: string) => {
    for (let at = parentOf.get(id) ?? null; at !== null; at = parentOf.get(at) ?? null) if (at === ancestor) return true;
    return false;
  };
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const job of jobs) {
    const target = endOf(job);
    if (target === undefined) continue;
    for (const need of job.needs) {
      const needed = byKey.get(need);
      const source = needed ? endOf(needed) : undefined;
      if (source === undefined || source === target || isAncestor(source, target) || isAncestor(target, source)) continue;
      const id = `${source}->${target}`;
      if (seen.has(id)) continue;
      seen.add(id);
      edges.push({ id, source, target });
    }
  }
  return { nodes, edges };
}

/** What decides the layout: the nodes, their nesting and kind, and the edges. Statuses and times are not in it. */
export function structureKey(model: GraphModel): string {
  const nodes = model.nodes.map((node) => `${node.kind}|${node.id}|${node.parent ?? ""}`);
  return JSON.stringify([nodes, model.edges.map((edge) => edge.id)]);
}

// Which status stands for a group: while any cell is unfinished the liveliest one, then the worst ending.
const GROUP_ORDER = ["RUNNING", "WAITING", "QUEUED", "FAILED", "TIMED_OUT", "CANCELED", "SUCCEEDED", "SKIPPED"];

/** A matrix group's status (its cells' stored statuses) and how many cells are in each, in GROUP_ORDER. */
export function groupSummary(statuses: readonly string[]): { status: string; counts: { status: string; count: number }[] } {
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  const rank = (status: string) => {
    const at = GROUP_ORDER.indexOf(status);
    return at === -1 ? GROUP_ORDER.length : at;
  };
  const ordered = [...counts].sort(([a], [b]) => rank(a) - rank(b)).map(([status, count]) => ({ status, count }));
  return { status: ordered[0]?.status ?? "QUEUED", counts: ordered };
}

/** How long a job (or a group, from its first start to its last end) has run, in ms; null when it has not started. */
export function durationMs(spans: readonly { startedAt: string | null; finishedAt: string | null }[], now: number): number | null {
  const starts = spans.flatMap((span) => (span.startedAt ? [Date.parse(span.startedAt)] : []));
  if (starts.length === 0) return null;
  const running = spans.some((span) => span.startedAt && !span.finishedAt);
  const end = running ? now : Math.max(...spans.flatMap((span) => (span.finishedAt ? [Date.parse(span.finishedAt)] : [])));
  return Math.max(0, end - Math.min(...starts));
}

/** `4 s`, `2 m 05 s`, `1 h 03 m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} m`;
}

export type Direction = "left" | "right" | "up" | "down";

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The node an arrow key moves to: the nearest one whose centre lies that way, distance across the direction
 * counting double, so Right follows the graph's flow to the next layer and Down walks a layer. Undefined at an edge.
 */
export function nextInDirection(boxes: readonly Box[], fromId: string, direction: Direction): string | undefined {
  const from = boxes.find((box) => box.id === fromId);
  if (!from) return boxes[0]?.id;
  const centre = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
  const origin = centre(from);
  let best: { id: string; score: number } | undefined;
  for (const box of boxes) {
    if (box.id === fromId) continue;
    const { x, y } = centre(box);
    const along = direction === "right" ? x - origin.x : direction === "left" ? origin.x - x : direction === "down" ? y - origin.y : origin.y - y;
    const across = direction === "left" || direction === "right" ? Math.abs(y - origin.y) : Math.abs(x - origin.x);
    // Strictly that way, and more that way than across (a box straight below is not "right").
    if (along <= 1 || across > along * 2 + 40) continue;
    const score = along + across * 2;
    if (!best || score < best.score) best = { id: box.id, score };
  }
  return best?.id;
}
