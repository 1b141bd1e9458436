// Where each node of the run graph goes: ELK's layered algorithm (left to right, in the order of the jobs), with
// called workflows and expanded matrices laid out inside their containers in the same pass. Takes any ELK instance,
// so the page runs it in a worker and the tests run it in Node.
import type { ELK, ElkNode } from "elkjs/lib/elk-api";
import type { GraphModel, GraphNode } from "./graph-model";

export const JOB_SIZE = { width: 220, height: 64 };
export const GROUP_SIZE = { width: 240, height: 92 };
const CELL_GAP = 12;
const INSET = 14;
/** Room above a container's children for its own heading. */
export const CONTAINER_HEADER = 58;

/** A node's box, relative to its parent's top-left corner (as React Flow positions child nodes). */
export interface Placed {
  x: number;
  y: number;
  width: number;
  height: number;
}

const ROOT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  // Edges only join siblings, but laying out every level in one pass keeps containers aligned with their layer.
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.spacing.nodeNode": "18",
  "elk.spacing.componentComponent": "32",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  // Within a layer, the jobs' own order (the plan's; a matrix's cells in matrix order), even at the cost of a crossing.
  "elk.layered.crossingMinimization.forceNodeModelOrder": "true",
  // Brandes-Köpf places nodes in about half the time of the default (network simplex) at a few hundred nodes, and
  // a lower thoroughness trims crossing minimisation: a 200-job run lays out in about a second on a busy 2-core host.
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.thoroughness": "3",
  "elk.padding": "[top=16,left=16,bottom=16,right=16]",
};
const CONTAINER_OPTIONS = { "elk.padding": `[top=${CONTAINER_HEADER},left=${INSET},bottom=${INSET},right=${INSET}]` };

function childrenByParent(model: GraphModel): Map<string | null, GraphNode[]> {
  const byParent = new Map<string | null, GraphNode[]>();
  for (const node of model.nodes) byParent.set(node.parent, [...(byParent.get(node.parent) ?? []), node]);
  return byParent;
}

/**
 * An open matrix whose cells hold nothing (no called workflows) is stacked by us, in matrix order: its cells have
 * no edges among them, and ELK, laying out every level in one pass, does not keep their order.
 */
function stackedMatrices(model: GraphModel, byParent: Map<string | null, GraphNode[]>): Map<string, string[]> {
  const stacked = new Map<string, string[]>();
  for (const node of model.nodes) {
    const cells = byParent.get(node.id) ?? [];
    if (node.kind === "matrix" && cells.length > 0 && cells.every((cell) => !byParent.has(cell.id))) stacked.set(node.id, cells.map((cell) => cell.id));
  }
  return stacked;
}

const stackSize = (cells: number) => ({ width: JOB_SIZE.width + 2 * INSET, height: CONTAINER_HEADER + cells * JOB_SIZE.height + (cells - 1) * CELL_GAP + INSET });

/** The ELK graph for a model: containers hold their children; every edge at the root (ELK finds its ends). */
export function toElkGraph(model: GraphModel): ElkNode {
  const byParent = childrenByParent(model);
  const stacked = stackedMatrices(model, byParent);
  const toElk = (node: GraphNode): ElkNode => {
    const cells = stacked.get(node.id);
    if (cells) return { id: node.id, ...stackSize(cells.length) };
    const children = (byParent.get(node.id) ?? []).map(toElk);
    if (children.length > 0) return { id: node.id, layoutOptions: CONTAINER_OPTIONS, children };
    return { id: node.id, ...(node.kind === "matrix" ? GROUP_SIZE : JOB_SIZE) };
  };
  return {
    id: "root",
    layoutOptions: ROOT_OPTIONS,
    children: (byParent.get(null) ?? []).map(toElk),
    edges: model.edges.map((edge) => ({ id: edge.id, sources: [edge.source], targets: [edge.target] })),
  };
}

/** Lays the model out: each node's box relative to its parent, and the whole drawing's size. */
export async function layoutGraph(elk: ELK, model: GraphModel): Promise<{ boxes: Map<string, Placed>; width: number; height: number }> {
  const laidOut = await elk.layout(toElkGraph(model));
  const boxes = new Map<string, Placed>();
  const visit = (nodes: ElkNode[] | undefined) => {
    for (const node of nodes ?? []) {
      boxes.set(node.id, { x: node.x ?? 0, y: node.y ?? 0, width: node.width ?? JOB_SIZE.width, height: node.height ?? JOB_SIZE.height });
      visit(node.children);
    }
  };
  visit(laidOut.children);
  for (const [, cells] of stackedMatrices(model, childrenByParent(model))) {
    cells.forEach((id, index) => boxes.set(id, { x: INSET, y: CONTAINER_HEADER + index * (JOB_SIZE.height + CELL_GAP), ...JOB_SIZE }));
  }
  return { boxes, width: laidOut.width ?? 0, height: laidOut.height ?? 0 };
}
