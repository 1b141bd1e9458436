"use client";
// What every node of the run graph reads besides its own place: the jobs as they are now (statuses and times change
// without a new layout), where their pages are, which node takes Tab, and the keyboard and expand handlers.
import type { Node } from "@xyflow/react";
import { createContext, useContext, type KeyboardEvent } from "react";
import type { GraphJob, GraphNode } from "./graph-model";

export type GraphFlowNode = Node<{ node: GraphNode }, GraphNode["kind"]>;

export interface GraphContextValue {
  jobs: ReadonlyMap<string, GraphJob>;
  href(jobKey: string): string;
  now: number;
  /** The one node in the tab order (roving tabindex): Tab enters the graph there, arrow keys move it. */
  tabbable: string | undefined;
  onKeyDown(event: KeyboardEvent<HTMLElement>, nodeId: string): void;
  onFocus(nodeId: string): void;
  toggle(of: string): void;
}

export const GraphContext = createContext<GraphContextValue | null>(null);

export function useGraph(): GraphContextValue {
  const value = useContext(GraphContext);
  if (!value) throw new Error("run graph nodes render inside RunGraph");
  return value;
}
