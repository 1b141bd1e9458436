"use client";
// The run's jobs as a graph above the job table: laid out by ELK (use-elk-layout.ts), drawn by React Flow. It takes
// the jobs as runs.get returns them; when new ones arrive with only statuses and times changed, the nodes re-render
// in place and the layout is kept. Keyboard: Tab enters the graph at one node, the arrow keys move between nodes
// (spatially: Right follows the edges, Up and Down walk a layer), Enter opens a job's page or a matrix's cells.
import "@xyflow/react/dist/style.css";
import "./run-graph.css";
import { MarkerType, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type Edge } from "@xyflow/react";
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { GraphContext, type GraphContextValue, type GraphFlowNode } from "./graph-context";
import { CONTAINER_HEADER } from "./elk-layout";
import { buildGraph, nextInDirection, structureKey, type Box, type Direction, type GraphJob } from "./graph-model";
import { NODE_TYPES } from "./graph-nodes";
import { useElkLayout, type GraphLayout } from "./use-elk-layout";

/** Below this zoom the names are too small to read: a bigger graph opens at its start, at this zoom. */
const READABLE_ZOOM = 0.6;
const MIN_HEIGHT = 160;
const MAX_HEIGHT = 560;
const ARROWS: Record<string, Direction> = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" };

export interface RunGraphProps {
  tenant: string;
  runId: string;
  jobs: readonly GraphJob[];
}

export function RunGraph(props: RunGraphProps) {
  return (
    <ReactFlowProvider>
      <RunGraphView {...props} />
    </ReactFlowProvider>
  );
}

function RunGraphView({ tenant, runId, jobs }: RunGraphProps) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const model = useMemo(() => buildGraph(jobs, expanded), [jobs, expanded]);
  const structure = useMemo(() => structureKey(model), [model]);
  const { layout, error } = useElkLayout(model, structure);
  const jobsByKey = useMemo(() => new Map(jobs.map((job) => [job.key, job])), [jobs]);
  const now = useNow(jobs.some((job) => job.startedAt !== null && job.finishedAt === null));
  const [tabbable, setTabbable] = useState<string | undefined>(undefined);
  const flow = useReactFlow<GraphFlowNode>();
  const box = useRef<HTMLDivElement>(null);
  const hintId = useId();

  // Nodes and edges change with the layout only; statuses reach the nodes through the context.
  const nodes = useMemo(() => (layout ? flowNodes(layout) : []), [layout]);
  const edges = useMemo(() => (layout ? flowEdges(layout) : []), [layout]);
  const current = tabbable !== undefined && nodes.some((node) => node.id === tabbable) ? tabbable : nodes[0]?.id;

  const boxes = useCallback((): Box[] => {
    return nodes.flatMap((node) => {
      const internal = flow.getInternalNode(node.id);
      if (!internal) return [];
      const { x, y } = internal.internals.positionAbsolute;
      const width = internal.measured.width ?? node.width ?? 0;
      const height = node.data.node.kind !== "job" && nodes.some((child) => child.parentId === node.id) ? CONTAINER_HEADER : (internal.measured.height ?? node.height ?? 0);
      return [{ id: node.id, x, y, width, height }];
    });
  }, [flow, nodes]);

  const reveal = useCallback(
    (id: string) => {
      const target = boxes().find((candidate) => candidate.id === id);
      const element = box.current;
      if (!target || !element) return;
      const { x, y, zoom } = flow.getViewport();
      const left = target.x * zoom + x;
      const top = target.y * zoom + y;
      const inside = left >= 0 && top >= 0 && left + target.width * zoom <= element.clientWidth && top + target.height * zoom <= element.clientHeight;
      if (!inside) void flow.setCenter(target.x + target.width / 2, target.y + target.height / 2, { zoom: Math.max(zoom, READABLE_ZOOM), duration: 150 });
    },
    [boxes, flow],
  );

  const context = useMemo<GraphContextValue>(
    () => ({
      jobs: jobsByKey,
      href: (key) => `/t/${tenant}/runs/${runId}/jobs/${encodeURIComponent(key)}`,
      now,
      tabbable: current,
      onFocus: (id) => {
        setTabbable(id);
        reveal(id);
      },
      onKeyDown: (event: KeyboardEvent<HTMLElement>, id: string) => {
        const direction = ARROWS[event.key];
        const all = direction || event.key === "Home" || event.key === "End" ? boxes() : [];
        const next = direction ? nextInDirection(all, id, direction) : event.key === "Home" ? all[0]?.id : event.key === "End" ? all.at(-1)?.id : undefined;
        if (!direction && event.key !== "Home" && event.key !== "End") return;
        event.preventDefault();
        if (next === undefined) return;
        setTabbable(next);
        box.current?.querySelector<HTMLElement>(`[data-graph-node="${CSS.escape(next)}"]`)?.focus();
      },
      toggle: (of) =>
        setExpanded((open) => {
          const next = new Set(open);
          if (!next.delete(of)) next.add(of);
          return next;
        }),
    }),
    [jobsByKey, tenant, runId, now, current, reveal, boxes],
  );

  const height = layout ? Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(layout.height) + 16)) : MIN_HEIGHT;
  const jobCount = jobs.length;
  return (
    <section className="card" data-testid="run-graph-card" aria-labelledby={`${hintId}-title`}>
      <div className="card-head">
        <h2 id={`${hintId}-title`}>Graph</h2>
        <span className="muted small" id={hintId}>
          Tab into the graph, move between jobs with the arrow keys, Enter opens a job or a matrix.
        </span>
        {/* Our own buttons rather than React Flow's Controls, whose panel is a div named by aria-label (no role). */}
        <div role="toolbar" aria-label="Graph zoom" className="run-graph-zoom">
          <button type="button" className="button small" onClick={() => void flow.zoomIn({ duration: 150 })} disabled={!layout}>
            Zoom in
          </button>
          <button type="button" className="button small" onClick={() => void flow.zoomOut({ duration: 150 })} disabled={!layout}>
            Zoom out
          </button>
          <button type="button" className="button small" onClick={() => void flow.fitView({ padding: 0.05, duration: 150 })} disabled={!layout}>
            Fit the whole graph
          </button>
        </div>
      </div>
      <div
        ref={box}
        className="run-graph"
        style={{ height }}
        data-testid="run-graph"
        data-layouts={layout?.count ?? 0}
        data-layout-engine={layout?.engine ?? ""}
        data-layout-ms={layout?.ms ?? ""}
        data-nodes={nodes.length}
        data-edges={edges.length}
        aria-describedby={hintId}
      >
        {error && <p role="alert">The graph could not be laid out: {error}</p>}
        {!layout && !error && <p className="muted small run-graph-pending">Laying out {jobCount} jobs…</p>}
        {layout && (
          <GraphContext.Provider value={context}>
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              nodesDraggable={false}
              nodesConnectable={false}
              nodesFocusable={false}
              edgesFocusable={false}
              elementsSelectable={false}
              disableKeyboardA11y
              minZoom={0.1}
              maxZoom={1.5}
              onInit={(instance) => {
                const element = box.current;
                if (!element) return;
                const fit = Math.min(element.clientWidth / (layout.width + 32), element.clientHeight / (layout.height + 32));
                // Small enough to read whole: fit it. Bigger: its start (the first layer) at a readable size.
                if (fit >= READABLE_ZOOM) void instance.fitView({ maxZoom: 1, padding: 0.05 });
                else void instance.setViewport({ x: 8, y: 8, zoom: READABLE_ZOOM });
              }}
              ariaLabelConfig={{ "minimap.ariaLabel": "Overview of the graph" }}
            >
              {nodes.length > 24 && <MiniMap pannable zoomable />}
            </ReactFlow>
          </GraphContext.Provider>
        )}
      </div>
    </section>
  );
}

function flowNodes(layout: GraphLayout): GraphFlowNode[] {
  return layout.model.nodes.flatMap((node) => {
    const placed = layout.boxes.get(node.id);
    if (!placed) return [];
    return [
      {
        id: node.id,
        type: node.kind,
        position: { x: placed.x, y: placed.y },
        width: placed.width,
        height: placed.height,
        style: { width: placed.width, height: placed.height },
        data: { node },
        ...(node.parent !== null ? { parentId: node.parent, extent: "parent" as const } : {}),
      },
    ];
  });
}

function flowEdges(layout: GraphLayout): Edge[] {
  const name = (id: string) => id.slice(id.indexOf(":") + 1);
  return layout.model.edges.map((edge) => ({
    id: edge.id,
    source: edge.source,
    target: edge.target,
    markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
    ariaLabel: `${name(edge.target)} needs ${name(edge.source)}`,
  }));
}

/** The time, advancing each second while `running` (a running job's duration counts up). */
function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}
