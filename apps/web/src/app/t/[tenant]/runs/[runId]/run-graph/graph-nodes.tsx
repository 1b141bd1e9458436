"use client";
// The run graph's three kinds of node: a job (a link to its page: name, status badge, duration), a job calling a
// reusable workflow (a container of the called jobs, its heading the link), and a matrix (a button that opens or
// closes its cells; closed, it counts them per status). Each carries `data-graph-node` for the arrow keys.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import Link from "next/link";
import { statusWord } from "@gantry/workflow-schema/status-words";
import { RunStatus } from "../../../../../../components/run-status";
import { useGraph } from "./graph-context";
import { durationMs, formatDuration, groupSummary, type GraphJob } from "./graph-model";
import type { GraphFlowNode } from "./graph-context";

/** Edges attach here; nobody draws new ones. */
function Handles() {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} className="run-graph-handle" />
      <Handle type="source" position={Position.Right} isConnectable={false} className="run-graph-handle" />
    </>
  );
}

function Duration({ spans }: { spans: readonly Pick<GraphJob, "startedAt" | "finishedAt">[] }) {
  const { now } = useGraph();
  const ms = durationMs(spans, now);
  return <span className="run-graph-duration">{ms === null ? "not started" : formatDuration(ms)}</span>;
}

/** A called job's name without its caller's (`Deploy / push` inside Deploy reads `push`). */
function shownName(job: GraphJob, jobs: ReadonlyMap<string, GraphJob>): string {
  const caller = job.calledBy === null ? undefined : jobs.get(job.calledBy);
  return caller && job.name.startsWith(`${caller.name} / `) ? job.name.slice(caller.name.length + 3) : job.name || job.key;
}

/** A job, or a job calling a reusable workflow (then a box around the called jobs, with this link as its heading). */
export function JobNode({ data }: NodeProps<GraphFlowNode>) {
  const graph = useGraph();
  const node = data.node;
  const job = node.kind === "matrix" ? undefined : graph.jobs.get(node.key);
  if (!job || node.kind === "matrix") return null;
  const call = node.kind === "call";
  return (
    <div className={call ? "run-graph-call" : "run-graph-job"} data-status={job.status}>
      <Handles />
      <Link
        href={graph.href(job.key)}
        className={call ? "run-graph-link run-graph-heading" : "run-graph-link"}
        data-graph-node={node.id}
        data-testid={`graph-node-${job.key}`}
        tabIndex={graph.tabbable === node.id ? 0 : -1}
        onKeyDown={(event) => graph.onKeyDown(event, node.id)}
        onFocus={() => graph.onFocus(node.id)}
      >
        <span className="run-graph-name">{shownName(job, graph.jobs)}</span>
        <span className="run-graph-meta">
          <RunStatus status={job.status} subject="job" />
          {call ? (
            <span className="run-graph-calls">
              calls <code>{job.calls}</code>
            </span>
          ) : (
            <Duration spans={[job]} />
          )}
        </span>
      </Link>
    </div>
  );
}

export function MatrixNode({ data }: NodeProps<GraphFlowNode>) {
  const graph = useGraph();
  const node = data.node;
  if (node.kind !== "matrix") return null;
  const cells = node.cells.flatMap((key) => graph.jobs.get(key) ?? []);
  const summary = groupSummary(cells.map((cell) => cell.status));
  const name = node.of.includes(" / ") ? node.of.slice(node.of.lastIndexOf(" / ") + 3) : node.of;
  return (
    <div className={node.expanded ? "run-graph-matrix run-graph-matrix-open" : "run-graph-matrix"} data-status={summary.status}>
      <Handles />
      <button
        type="button"
        className="run-graph-link run-graph-heading"
        aria-expanded={node.expanded}
        data-graph-node={node.id}
        data-testid={`graph-group-${node.of}`}
        tabIndex={graph.tabbable === node.id ? 0 : -1}
        onClick={() => graph.toggle(node.of)}
        onKeyDown={(event) => graph.onKeyDown(event, node.id)}
        onFocus={() => graph.onFocus(node.id)}
      >
        <span className="run-graph-name">
          <span aria-hidden="true" className="run-graph-chevron">
            {node.expanded ? "▾" : "▸"}
          </span>{" "}
          {name} <span className="run-graph-count">matrix of {cells.length}</span>
        </span>
        <span className="run-graph-meta">
          {!node.expanded && <RunStatus status={summary.status} subject="job" />}
          <Duration spans={cells} />
        </span>
        {!node.expanded && (
          <span className="run-graph-counts" data-testid="graph-group-counts">
            {summary.counts.map(({ status, count }) => (
              <span key={status} className={`run-graph-tally status-${statusWord("job", status).tone}`}>
                {count} {statusWord("job", status).word}
              </span>
            ))}
          </span>
        )}
      </button>
    </div>
  );
}

export const NODE_TYPES = { job: JobNode, call: JobNode, matrix: MatrixNode };
