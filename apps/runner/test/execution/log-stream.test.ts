import { describe, expect, it } from "vitest";
import { LogStream, truncationMarker, type LogChunk } from "../../src/execution/log-stream";
import { until } from "./helpers";

describe("log stream", () => {
  it("cuts chunks at 64 KiB with increasing sequence numbers, step index and timestamps, keeping ANSI", async () => {
    const chunks: LogChunk[] = [];
    const log = new LogStream({ sink: async (batch) => void chunks.push(...batch) });
    const colored = "\u001b[31mred\u001b[0m ";
    const body = colored.repeat(20_000);
    await log.write(3, body);
    await log.close();
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    for (const c of chunks) {
      expect(Buffer.byteLength(c.data)).toBeLessThanOrEqual(64 * 1024);
      expect(c.stepIndex).toBe(3);
      expect(c.timestamp).toBeGreaterThan(0);
    }
    expect(chunks.map((c) => c.data).join("")).toBe(body);
  });

  it("sends a small write from an idle stream at once, without waiting for the 100 ms interval", async () => {
    const chunks: LogChunk[] = [];
    const log = new LogStream({ sink: async (batch) => void chunks.push(...batch) });
    const started = Date.now();
    await log.write(0, "hello\n");
    await until("the first chunk", () => chunks.length === 1, 2000);
    // A few ms of coalescing, far under the busy interval (the machine is noisy: compare against it, not a constant).
    expect(Date.now() - started).toBeLessThan(90);
    await log.close();
  });

  it("batches what is written while a chunk is in flight into the next chunk", async () => {
    const chunks: LogChunk[] = [];
    let release: (() => void) | undefined;
    const log = new LogStream({
      sink: async (batch) => {
        chunks.push(...batch);
        if (chunks.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    await log.write(0, "first\n");
    await until("the first chunk in flight", () => chunks.length === 1, 2000);
    for (const line of ["a\n", "b\n", "c\n"]) await log.write(0, line);
    const released = Date.now();
    release?.();
    // Sent as soon as the first send returns, not when the 100 ms interval would have passed.
    await until("the batched chunk", () => chunks.length === 2, 2000);
    expect(Date.now() - released).toBeLessThan(80);
    await log.close();
    expect(chunks.map((c) => [c.seq, c.data])).toEqual([
      [0, "first\n"],
      [1, "a\nb\nc\n"],
    ]);
  });

  it("sends the chunks cut during a send as the next batch, at most maxBatchChunks of them, in order", async () => {
    const batches: LogChunk[][] = [];
    let release: (() => void) | undefined;
    const log = new LogStream({
      sink: async (batch) => {
        batches.push(batch);
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      maxChunkBytes: 4,
      maxBatchChunks: 3,
      maxQueuedChunks: 8,
    });
    await log.write(0, "aaaa");
    await until("the first batch in flight", () => batches.length === 1, 2000);
    await log.write(0, "bbbbccccddddeeeeff");
    release?.();
    await log.close();
    expect(batches.map((batch) => batch.map((c) => c.data))).toEqual([["aaaa"], ["bbbb", "cccc", "dddd"], ["eeee", "ff"]]);
    expect(batches.flat().map((c) => c.seq)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("keeps a second full batch in flight beside the first, never a third, every chunk once and in order", async () => {
    const calls: LogChunk[][] = [];
    const releases: (() => void)[] = [];
    let concurrent = 0;
    let most = 0;
    const log = new LogStream({
      sink: async (batch) => {
        calls.push(batch);
        most = Math.max(most, ++concurrent);
        await new Promise<void>((resolve) => releases.push(resolve));
        concurrent--;
      },
      maxChunkBytes: 4,
      maxBatchChunks: 2,
      maxQueuedChunks: 4,
    });
    let done = false;
    const writing = log.write(0, "abcd".repeat(12)).then(() => (done = true));
    await until("two batches in flight", () => calls.length === 2, 2000);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(calls.map((batch) => batch.length)).toEqual([1, 2]);
    expect(done).toBe(false);
    while (!done || releases.length > 0 || concurrent > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writing;
    const closing = log.close();
    while (concurrent > 0 || releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await closing;
    expect(most).toBe(2);
    expect(calls.flat().map((c) => c.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(calls.flat().map((c) => c.data).join("")).toBe("abcd".repeat(12));
  });

  it("does not start a second send for a trickle: it batches behind the one in flight", async () => {
    const calls: LogChunk[][] = [];
    let release: (() => void) | undefined;
    const log = new LogStream({
      sink: async (batch) => {
        calls.push(batch);
        if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      flushIntervalMs: 10,
    });
    await log.write(0, "first\n");
    await until("the first chunk in flight", () => calls.length === 1, 2000);
    // Each line is cut into a chunk of its own (the interval passes between them), none starts a send.
    for (const line of ["a\n", "b\n", "c\n"]) {
      await log.write(0, line);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(calls).toHaveLength(1);
    release?.();
    await log.close();
    expect(calls.map((batch) => batch.map((c) => c.data))).toEqual([["first\n"], ["a\n", "b\n", "c\n"]]);
  });

  it("starts a new chunk when the step changes", async () => {
    const chunks: LogChunk[] = [];
    const log = new LogStream({ sink: async (batch) => void chunks.push(...batch) });
    await log.write(0, "a\n");
    await log.write(1, "b\n");
    await log.close();
    expect(chunks.map((c) => [c.stepIndex, c.data])).toEqual([[0, "a\n"], [1, "b\n"]]);
  });

  it("never splits a UTF-8 character between chunks", async () => {
    const chunks: LogChunk[] = [];
    const log = new LogStream({ sink: async (batch) => void chunks.push(...batch), maxChunkBytes: 7 });
    await log.write(0, "ééééé€€€");
    await log.close();
    expect(chunks.map((c) => c.data).join("")).toBe("ééééé€€€");
    for (const c of chunks) expect(c.data).not.toContain("\ufffd");
  });

  it("makes writers wait while the sink is slow (bounded queue)", async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const received: string[] = [];
    let calls = 0;
    const log = new LogStream({
      sink: async (batch) => {
        calls++;
        await gate;
        received.push(...batch.map((c) => c.data));
      },
      maxChunkBytes: 10,
      maxQueuedChunks: 2,
    });
    let finished = false;
    const writing = log.write(0, "0123456789".repeat(10)).then(() => (finished = true));
    await until("the first sink call", () => calls === 1, 1000);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    // Ten chunks, one in the sink and at most two queued: the writer must still be waiting.
    expect(finished).toBe(false);
    expect(calls).toBe(1);
    open();
    await writing;
    await log.close();
    expect(received).toEqual(Array.from({ length: 10 }, () => "0123456789"));
  });

  it("truncates at the job cap with one marker line and drops the rest", async () => {
    const chunks: LogChunk[] = [];
    const log = new LogStream({ sink: async (batch) => void chunks.push(...batch), maxJobBytes: 1000 });
    await log.write(0, "y".repeat(600));
    await log.write(0, "z".repeat(600));
    await log.write(1, "after the cap\n");
    await log.close();
    const text = chunks.map((c) => c.data).join("");
    expect(log.truncated).toBe(true);
    expect(text.endsWith(`\n${truncationMarker(1000)}`)).toBe(true);
    expect(text).not.toContain("after the cap");
    expect(text.length).toBe(1000 + 1 + truncationMarker(1000).length);
  });

  it("surfaces a sink failure to the writer", async () => {
    const log = new LogStream({ sink: async () => Promise.reject(new Error("control plane down")), flushIntervalMs: 1 });
    await log.write(0, "x");
    await expect(log.close()).rejects.toThrow(/control plane down/);
  });
});
