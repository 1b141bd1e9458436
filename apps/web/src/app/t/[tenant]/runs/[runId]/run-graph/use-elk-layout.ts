"use client";
// Runs ELK for the run graph, off the main thread when the browser can start the layout worker (elkjs's worker build,
// served by app/workers/elk-layout.js), else on it with elkjs's bundled build. A new layout only when the graph's structure key changes:
// statuses and times arriving for the same jobs reuse the last one.
import type { ELK } from "elkjs/lib/elk-api";
import { useEffect, useRef, useState } from "react";
import { layoutGraph, type Placed } from "./elk-layout";
import type { GraphModel } from "./graph-model";

const ELK_WORKER_URL = "/workers/elk-layout.js";

export type LayoutEngine = "worker" | "main thread";

export interface GraphLayout {
  /** The model these boxes are for: drawn until the next layout is ready, so nodes never lack a place. */
  model: GraphModel;
  boxes: Map<string, Placed>;
  width: number;
  height: number;
  /** How many layouts this graph has run (the page shows it as `data-layouts`, tests read it). */
  count: number;
  engine: LayoutEngine;
  ms: number;
}

interface Engine {
  elk: ELK;
  kind: LayoutEngine;
  /** Settles when the worker fails to load or run (a bundler without worker support, a blocked script). */
  failed: Promise<never>;
  stop(): void;
}

async function workerEngine(): Promise<Engine> {
  const { default: ElkApi } = await import("elkjs/lib/elk-api");
  const worker = new Worker(ELK_WORKER_URL);
  const failed = new Promise<never>((_, reject) => worker.addEventListener("error", (event) => reject(new Error(event.message || "the layout worker failed"))));
  failed.catch(() => undefined);
  return { elk: new ElkApi({ workerFactory: () => worker }), kind: "worker", failed, stop: () => worker.terminate() };
}

async function mainThreadEngine(): Promise<Engine> {
  const { default: ElkBundled } = await import("elkjs/lib/elk.bundled.js");
  return { elk: new ElkBundled(), kind: "main thread", failed: new Promise<never>(() => undefined), stop: () => undefined };
}

export function useElkLayout(model: GraphModel, structure: string): { layout: GraphLayout | null; error: string | null } {
  const [layout, setLayout] = useState<GraphLayout | null>(null);
  const [error, setError] = useState<string | null>(null);
  const engine = useRef<Promise<Engine> | null>(null);
  const latest = useRef(model);
  latest.current = model;
  const count = useRef(0);

  useEffect(
    () => () => {
      void engine.current?.then((running) => running.stop());
      engine.current = null;
    },
    [],
  );

  useEffect(() => {
    let current = true;
    const wanted = latest.current;
    const run = async () => {
      engine.current ??= workerEngine().catch(() => mainThreadEngine());
      let running = await engine.current;
      const started = performance.now();
      let placed;
      try {
        placed = await Promise.race([layoutGraph(running.elk, wanted), running.failed]);
      } catch (failure) {
        if (running.kind !== "worker") throw failure;
        // The worker did not load or crashed: lay out here instead, and keep doing so.
        running.stop();
        engine.current = mainThreadEngine();
        running = await engine.current;
        placed = await layoutGraph(running.elk, wanted);
      }
      if (!current) return;
      count.current += 1;
      setLayout({ model: wanted, ...placed, count: count.current, engine: running.kind, ms: Math.round(performance.now() - started) });
      setError(null);
    };
    run().catch((failure: unknown) => current && setError(failure instanceof Error ? failure.message : String(failure)));
    return () => {
      current = false;
    };
  }, [structure]);

  return { layout, error };
}
