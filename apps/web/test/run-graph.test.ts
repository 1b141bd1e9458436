// The run graph's pure parts: nodes, groups and edges from runs.get's jobs, what decides a new layout, group
// summaries, durations, arrow-key moves, and ELK's layout of a 200-job run (in Node, as the page's worker runs it).
import ELK from "elkjs/lib/elk.bundled.js";
import { describe, expect, it } from "vitest";
import { layoutGraph, toElkGraph } from "../src/app/t/[tenant]/runs/[runId]/run-graph/elk-layout";
import { buildGraph, durationMs, formatDuration, groupSummary, nextInDirection, structureKey, type GraphJob } from "../src/app/t/[tenant]/runs/[runId]/run-graph/graph-model";

const job = (key: string, extra: Partial<GraphJob> = {}): GraphJob => ({ key, name: key, status: "QUEUED", needs: [], calls: null, calledBy: null, matrix: null, startedAt: null, finishedAt: null, ...extra });
const cell = (of: string, value: string, extra: Partial<GraphJob> = {}) => job(`${of} (${value})`, { matrix: { of: extra.calledBy ? `${extra.calledBy} / ${of}` : of, values: { v: value } }, ...extra, ...(extra.calledBy ? { key: `${extra.calledBy} / ${of} (${value})` } : {}) });
const none = new Set<string>();

// build → test (matrix 18, 20) → deploy (calls a workflow: fan (matrix 1, 2) → push) → notify
const RUN: GraphJob[] = [
  job("build", { status: "SUCCEEDED" }),
  cell("test", "18", { needs: ["build"], status: "SUCCEEDED" }),
  cell("test", "20", { needs: ["build"], status: "FAILED" }),
  job("deploy", { needs: ["test (18)", "test (20)"], calls: "./.gantry/workflows/deploy.yml", status: "RUNNING" }),
  cell("fan", "1", { calledBy: "deploy" }),
  cell("fan", "2", { calledBy: "deploy" }),
  job("deploy / push", { calledBy: "deploy", needs: ["deploy / fan (1)", "deploy / fan (2)"] }),
  job("notify", { needs: ["deploy"] }),
];

describe("buildGraph", () => {
  it("draws a node per job, matrices collapsed into one group each, called jobs inside their caller, and needs as edges", () => {
    const graph = buildGraph(RUN, none);
    expect(graph.nodes.map((node) => [node.id, node.parent])).toEqual([
      ["job:build", null],
      ["matrix:test", null],
      ["call:deploy", null],
      ["matrix:deploy / fan", "call:deploy"],
      ["job:deploy / push", "call:deploy"],
      ["job:notify", null],
    ]);
    expect(graph.nodes.find((node) => node.id === "matrix:test")).toMatchObject({ kind: "matrix", cells: ["test (18)", "test (20)"], expanded: false });
    // Two cells needing build and deploy needing both cells: one edge each way of the group.
    expect(graph.edges.map((edge) => edge.id)).toEqual(["job:build->matrix:test", "matrix:test->call:deploy", "matrix:deploy / fan->job:deploy / push", "call:deploy->job:notify"]);
  });

  it("draws an expanded group's cells inside it, with the edges still at the group", () => {
    const graph = buildGraph(RUN, new Set(["test"]));
    expect(graph.nodes.filter((node) => node.parent === "matrix:test").map((node) => node.id)).toEqual(["job:test (18)", "job:test (20)"]);
    expect(graph.nodes.findIndex((node) => node.id === "matrix:test")).toBeLessThan(graph.nodes.findIndex((node) => node.id === "job:test (18)"));
    expect(graph.edges.map((edge) => edge.id)).toContain("job:build->matrix:test");
    expect(graph.edges.map((edge) => edge.id)).not.toContain("job:build->job:test (18)");
  });

  it("nests calls within calls, and hides a collapsed matrix of calls with everything they called", () => {
    const jobs = [
      cell("release", "a", { calls: "./r.yml" }),
      cell("release", "b", { calls: "./r.yml" }),
      job("release (a) / publish", { calledBy: "release (a)", calls: "./p.yml" }),
      job("release (a) / publish / upload", { calledBy: "release (a) / publish" }),
      job("announce", { needs: ["release (a)", "release (b)"] }),
    ];
    expect(buildGraph(jobs, none).nodes.map((node) => node.id)).toEqual(["matrix:release", "job:announce"]);
    const open = buildGraph(jobs, new Set(["release"]));
    expect(open.nodes.map((node) => [node.id, node.kind, node.parent])).toEqual([
      ["matrix:release", "matrix", null],
      ["call:release (a)", "call", "matrix:release"],
      ["call:release (a) / publish", "call", "call:release (a)"],
      ["job:release (a) / publish / upload", "job", "call:release (a) / publish"],
      ["call:release (b)", "call", "matrix:release"],
      ["job:announce", "job", null],
    ]);
    expect(open.edges.map((edge) => edge.id)).toEqual(["matrix:release->job:announce"]);
  });

  it("keeps the layout's key when only statuses and times change, and changes it when the jobs or needs do", () => {
    const key = structureKey(buildGraph(RUN, none));
    const later = RUN.map((j) => ({ ...j, status: "SUCCEEDED", startedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:01:00.000Z" }));
    expect(structureKey(buildGraph(later, none))).toBe(key);
    expect(structureKey(buildGraph([...RUN, job("late")], none))).not.toBe(key);
    expect(structureKey(buildGraph(RUN.map((j) => (j.key === "notify" ? { ...j, needs: ["build"] } : j)), none))).not.toBe(key);
    expect(structureKey(buildGraph(RUN, new Set(["test"])))).not.toBe(key);
  });

  it("ignores needs on jobs the run does not have and duplicate needs", () => {
    const graph = buildGraph([job("a"), job("b", { needs: ["a", "a", "gone"] })], none);
    expect(graph.edges.map((edge) => edge.id)).toEqual(["job:a->job:b"]);
  });
});

describe("groupSummary, durations", () => {
  it("counts a group's cells per status and stands for it by its liveliest, else its worst, status", () => {
    expect(groupSummary(["SUCCEEDED", "FAILED", "SUCCEEDED", "RUNNING"])).toEqual({
      status: "RUNNING",
      counts: [
        { status: "RUNNING", count: 1 },
        { status: "FAILED", count: 1 },
        { status: "SUCCEEDED", count: 2 },
      ],
    });
    expect(groupSummary(["SUCCEEDED", "SKIPPED", "CANCELED"]).status).toBe("CANCELED");
    expect(groupSummary(["SUCCEEDED", "SUCCEEDED"]).status).toBe("SUCCEEDED");
  });

  it("measures from the first start to the last end, or to now while one runs", () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const now = Date.parse(at(50));
    expect(durationMs([{ startedAt: null, finishedAt: null }], now)).toBeNull();
    expect(durationMs([{ startedAt: at(5), finishedAt: at(17) }], now)).toBe(12_000);
    expect(durationMs([{ startedAt: at(5), finishedAt: at(17) }, { startedAt: at(2), finishedAt: at(9) }], now)).toBe(15_000);
    expect(durationMs([{ startedAt: at(5), finishedAt: at(17) }, { startedAt: at(10), finishedAt: null }], now)).toBe(45_000);
    expect([formatDuration(4_200), formatDuration(125_000), formatDuration(3_780_000)]).toEqual(["4 s", "2 m 05 s", "1 h 03 m"]);
  });
});

describe("nextInDirection", () => {
  // a → b, a → c: b above c in the second layer.
  const boxes = [
    { id: "a", x: 0, y: 40, width: 100, height: 40 },
    { id: "b", x: 200, y: 0, width: 100, height: 40 },
    { id: "c", x: 200, y: 80, width: 100, height: 40 },
  ];
  it("moves along the flow with Right and Left, within a layer with Up and Down, and nowhere past the edge", () => {
    expect(nextInDirection(boxes, "a", "right")).toBe("b");
    expect(nextInDirection(boxes, "b", "down")).toBe("c");
    expect(nextInDirection(boxes, "c", "up")).toBe("b");
    expect(nextInDirection(boxes, "c", "left")).toBe("a");
    expect(nextInDirection(boxes, "a", "left")).toBeUndefined();
    expect(nextInDirection(boxes, "b", "up")).toBeUndefined();
  });
});

describe("layoutGraph", () => {
  it("lays out a 200-job run: every node placed, each edge left to right, no two siblings overlapping", async () => {
    // Ten layers of twenty jobs, each needing two of the layer before.
    const jobs: GraphJob[] = [];
    for (let layer = 0; layer < 10; layer++) {
      for (let i = 0; i < 20; i++) jobs.push(job(`l${layer}-${i}`, { needs: layer === 0 ? [] : [`l${layer - 1}-${i}`, `l${layer - 1}-${(i + 7) % 20}`] }));
    }
    const graph = buildGraph(jobs, none);
    expect(graph.nodes).toHaveLength(200);
    expect(graph.edges).toHaveLength(360);
    const started = performance.now();
    const { boxes, width, height } = await layoutGraph(new ELK(), graph);
    const elapsed = performance.now() - started;
    console.log(`[run-graph] ELK laid out 200 jobs and 360 edges in ${Math.round(elapsed)} ms (${Math.round(width)}×${Math.round(height)})`);
    expect([...boxes.keys()].sort()).toEqual(graph.nodes.map((node) => node.id).sort());
    for (const edge of graph.edges) expect(boxes.get(edge.source)?.x ?? Infinity).toBeLessThan(boxes.get(edge.target)?.x ?? -Infinity);
    const placed = [...boxes.values()];
    const overlapping = placed.filter((a, i) => placed.some((b, j) => j > i && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height));
    expect(overlapping).toEqual([]);
  });

  it("sizes containers around their children, which are placed inside them", async () => {
    const graph = buildGraph(RUN, new Set(["test"]));
    expect(toElkGraph(graph).children?.find((node) => node.id === "call:deploy")?.children?.map((node) => node.id)).toEqual(["matrix:deploy / fan", "job:deploy / push"]);
    const { boxes } = await layoutGraph(new ELK(), graph);
    const call = boxes.get("call:deploy");
    const push = boxes.get("job:deploy / push");
    if (!call || !push) throw new Error("not placed");
    // Children's positions are relative to their container, and inside it.
    expect(push.x + push.width).toBeLessThanOrEqual(call.width);
    expect(push.y + push.height).toBeLessThanOrEqual(call.height);
    expect(boxes.get("job:test (20)")?.y).toBeGreaterThan(boxes.get("job:test (18)")?.y ?? Infinity);
  });
});
